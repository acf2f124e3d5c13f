package web

import (
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// ReplySummary says how the people an activity reaches answered, in the
// page's language: "3 accepted, 1 declined, 2 no answer". Kinds of answer
// nobody gave are left out; nil (an activity the person does not plan)
// and an activity that reaches nobody say nothing.
func (p *page) ReplySummary(s *models.ReplySummary) string {
	if s == nil {
		return ""
	}
	var parts []string
	for _, c := range []struct {
		key string
		n   int
	}{{"replies.accepted", s.Accepted}, {"replies.tentative", s.Tentative}, {"replies.declined", s.Declined}, {"replies.no_answer", s.NeedsAction}} {
		if c.n > 0 {
			parts = append(parts, p.T(c.key, c.n))
		}
	}
	return strings.Join(parts, ", ")
}

// ReplyRule tells an agenda item about answers (a required participant
// declined, or has not answered) from a clash between two sides.
func (i conflictItem) ReplyRule() bool {
	return i.Rule == models.RuleRequiredDeclined || i.Rule == models.RuleRequiredNoReply
}

// replySummaries reads, in one go, the reply summaries of the activities
// of listed occurrences that the person plans.
func (w *Web) replySummaries(c echo.Context, occ []models.OccurrenceView) (map[int64]*models.ReplySummary, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, o := range occ {
		if !seen[o.Activity.ID] {
			seen[o.Activity.ID] = true
			ids = append(ids, o.Activity.ID)
		}
	}
	sums, err := w.Store.ReplySummaries(c.Request().Context(), actor(c), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*models.ReplySummary, len(sums))
	for id, s := range sums {
		out[id] = &s
	}
	return out, nil
}
