package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jointcal/jointcal/models"
)

// ProposalTurnaroundIn measures the proposals agreed in [from, to) on
// activities a may see (a zero bound is open). It is the figure the
// activity reports include.
func (s *Store) ProposalTurnaroundIn(ctx context.Context, a models.Actor, from, to time.Time) (models.ProposalTurnaround, error) {
	db := s.db.WithContext(ctx)
	visible := visibleLiveActivity(db, a.Viewer(), "proposals.activity_id")
	q := db.Model(&proposalRow{}).Where("state = ? AND closed_at IS NOT NULL AND EXISTS (?)", string(models.ProposalAgreed), visible)
	if !from.IsZero() {
		q = q.Where("closed_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("closed_at < ?", to.UTC())
	}
	var rows []proposalRow
	if err := q.Find(&rows).Error; err != nil {
		return models.ProposalTurnaround{}, fmt.Errorf("load agreed proposals: %w", err)
	}
	days := make([]float64, len(rows))
	for i, r := range rows {
		days[i] = r.ClosedAt.Sub(r.CreatedAt).Hours() / 24
	}
	return models.ProposalTurnaround{Agreed: len(days), MedianDays: median(days)}, nil
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
