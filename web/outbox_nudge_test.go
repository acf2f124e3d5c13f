package web_test

import (
	"net/http"
	"testing"
	"time"
)

// A change made through the pages asks for the outbox to be sent at once,
// as the API's handlers do, so that the invitations of a booking made in
// the browser do not wait for the scheduler's next tick; reading a page,
// or a change that was refused, asks for nothing.
func TestPagesNudgeTheOutboxAfterAChange(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	when := time.Now().AddDate(0, 1, 3)
	steps := []struct {
		name   string
		do     func() int
		status int
		nudged bool
	}{
		{"a page read", func() int { return c.get("/calendar").status }, http.StatusOK, false},
		{"a refused form", func() int {
			f := crossBriefing(c, "", when)
			return c.post("/activities/new", f).status
		}, http.StatusUnprocessableEntity, false},
		{"no CSRF token", func() int {
			f := crossBriefing(c, "Nudge without a token", when)
			f.Del("csrf_token")
			return c.post("/activities/new", f).status
		}, http.StatusForbidden, false},
		{"a booking", func() int { return c.post("/activities/new", crossBriefing(c, "Nudged cross-briefing", when)).status }, http.StatusSeeOther, true},
	}
	for _, st := range steps {
		before := s.Nudges.Load()
		if got := st.do(); got != st.status {
			t.Fatalf("%s: status %d, want %d", st.name, got, st.status)
		}
		if nudged := s.Nudges.Load() > before; nudged != st.nudged {
			t.Errorf("%s: outbox nudged %v, want %v", st.name, nudged, st.nudged)
		}
	}
}
