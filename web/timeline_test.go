package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTimelineShowsRestrictedOnlyAsBusy: in the week of the EU-only
// meeting, the NATO planner's timeline shows the EEAS busy, grey and
// untitled; the EU planner's names the meeting.
func TestTimelineShowsRestrictedOnlyAsBusy(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	date := hidden.Start.In(mustZone(t, "Europe/Brussels")).Format(time.DateOnly)
	for _, span := range []string{"week", "month"} {
		path := "/timeline?rows=bodies&span=" + span + "&date=" + date
		nato := s.signedIn(natoPlannerEmail).get(path)
		if nato.status != http.StatusOK || !strings.Contains(nato.body, `<span class="block busy"`) || !strings.Contains(nato.body, "European External Action Service") {
			t.Fatalf("%s: NATO planner's timeline: %d, restricted block %v", span, nato.status, strings.Contains(nato.body, "block busy"))
		}
		if strings.Contains(nato.body, "EU preparatory") || strings.Contains(nato.body, `href="/activities/`+itoa(hidden.ID)+`"`) {
			t.Fatalf("%s: the NATO planner's timeline names the EU-only activity", span)
		}
		eu := s.signedIn(euPlannerEmail).get(path)
		if eu.status != http.StatusOK || !strings.Contains(eu.body, `href="/activities/`+itoa(hidden.ID)+`"`) {
			t.Fatalf("%s: EU planner's timeline lacks the EU-only activity: %d", span, eu.status)
		}
	}
	c := s.signedIn(natoPlannerEmail)
	for _, path := range []string{"/timeline?rows=venues", "/timeline?rows=people&span=month"} {
		if r := c.get(path); r.status != http.StatusOK || !strings.Contains(r.body, `<table class="timeline`) {
			t.Errorf("%s: %d", path, r.status)
		}
	}
	for _, path := range []string{"/timeline?rows=planets", "/timeline?span=year", "/timeline?date=soon"} {
		if r := c.get(path); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="error" role="alert"`) {
			t.Errorf("%s: %d", path, r.status)
		}
	}
}
