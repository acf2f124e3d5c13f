package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCalendarShowsRestrictedBusyForAResource: filtered to the EEAS, the
// NATO planner's calendar has a grey untitled block where the EU-only
// meeting occupies it; unfiltered, nothing; the EU planner sees the
// meeting itself and no grey block.
func TestCalendarShowsRestrictedBusyForAResource(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	local := hidden.Start.In(mustZone(t, "Europe/Brussels"))
	date := local.Format(time.DateOnly)
	busy := `"title":"busy (restricted)"`
	wall := `"start":"` + local.Format("2006-01-02T15:04:05") + `"`
	nato, eu := s.signedIn(natoPlannerEmail), s.signedIn(euPlannerEmail)
	events := "/calendar/events?start=" + local.AddDate(0, 0, -1).Format(time.DateOnly) + "&end=" + local.AddDate(0, 0, 2).Format(time.DateOnly)
	for _, tc := range []struct {
		name     string
		c        *client
		path     string
		wantBusy bool
	}{
		{"NATO, EEAS", nato, "/calendar?view=week&body=EEAS&date=" + date, true},
		{"NATO, Marek", nato, "/calendar?view=week&person=marek.nowicki%40eeas.example&date=" + date, true},
		{"NATO, EEAS events", nato, events + "&body=EEAS", true},
		{"NATO, unfiltered", nato, "/calendar?view=week&date=" + date, false},
		{"EU, EEAS", eu, "/calendar?view=week&body=EEAS&date=" + date, false},
	} {
		r := tc.c.do("GET", tc.path, nil, map[string]string{"Accept": "text/html, application/json"})
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", tc.name, r.status)
		}
		got := strings.Contains(r.body, busy) && strings.Contains(r.body, wall) && strings.Contains(r.body, `"classNames":["busy"]`)
		if got != tc.wantBusy {
			t.Errorf("%s: grey busy block at %s: %v, want %v", tc.name, wall, got, tc.wantBusy)
		}
		if tc.c == nato && strings.Contains(r.body, "EU preparatory") {
			t.Errorf("%s: the NATO planner's calendar names the EU-only activity", tc.name)
		}
	}
}
