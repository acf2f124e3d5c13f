package models

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ProposalTurnaround is how long agreement took: the progress report's
// "median days to agreement".
type ProposalTurnaround struct {
	// Agreed counts the proposals agreed in the period.
	Agreed int `json:"agreed"`
	// MedianDays is the median time from proposal to agreement, in days
	// (0 when none was agreed).
	MedianDays float64 `json:"median_days"`
}

// ProposalTurnaroundIn measures the proposals agreed in [from, to) on
// activities a may see (a zero bound is open). It is the figure the
// activity reports include.
func (s *Store) ProposalTurnaroundIn(ctx context.Context, a Actor, from, to time.Time) (ProposalTurnaround, error) {
	db := s.db.WithContext(ctx)
	visible := db.Model(&Activity{}).Select("activities.id").Where("activities.deleted_at IS NULL").Scopes(visibleActivities(a.Viewer()))
	q := db.Model(&proposalRow{}).Where("state = ? AND closed_at IS NOT NULL AND activity_id IN (?)", string(ProposalAgreed), visible)
	if !from.IsZero() {
		q = q.Where("closed_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("closed_at < ?", to.UTC())
	}
	var rows []proposalRow
	if err := q.Find(&rows).Error; err != nil {
		return ProposalTurnaround{}, fmt.Errorf("load agreed proposals: %w", err)
	}
	days := make([]float64, len(rows))
	for i, r := range rows {
		days[i] = r.ClosedAt.Sub(r.CreatedAt).Hours() / 24
	}
	return ProposalTurnaround{Agreed: len(days), MedianDays: median(days)}, nil
}

// median is the middle value of xs (the mean of the two middle ones for
// an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
