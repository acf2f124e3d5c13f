package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestAvailabilityFindsATime: the PSC and the NAC get their earliest
// common slots, each a link to the booking form filled in, and a grid.
func TestAvailabilityFindsATime(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	if r := c.get("/availability"); r.status != http.StatusOK || !strings.Contains(r.body, `id="av-people"`) || strings.Contains(r.body, "slot-link") {
		t.Fatalf("empty form: %d", r.status)
	}
	q := url.Values{"body": {"PSC", "NAC"}, "venue": {"EUROPA"}, "duration": {"120"}, "from": {s.Today.Format(time.DateOnly)}, "to": {s.Today.AddDate(0, 0, 20).Format(time.DateOnly)}, "work_start": {"09:00"}, "work_end": {"18:00"}}
	r := c.get("/availability?" + q.Encode())
	if r.status != http.StatusOK {
		t.Fatalf("find a time: %d %s", r.status, r.body)
	}
	if !strings.Contains(r.body, `class="freebusy"`) || !strings.Contains(r.body, "Political and Security Committee") || !strings.Contains(r.body, "North Atlantic Council") {
		t.Fatal("no free/busy grid with the PSC and the NAC")
	}
	links := regexpAll(`href="(/activities/new\?[^"]+)"`, r.body)
	if len(links) == 0 {
		t.Fatal("no slot proposed")
	}
	u, err := url.Parse(strings.ReplaceAll(links[0], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	start, err1 := time.Parse(time.RFC3339, u.Query().Get("start"))
	end, err2 := time.Parse(time.RFC3339, u.Query().Get("end"))
	if err1 != nil || err2 != nil || end.Sub(start) != 2*time.Hour || start.Before(s.Today.Add(-time.Minute)) {
		t.Errorf("slot %s–%s", u.Query().Get("start"), u.Query().Get("end"))
	}
	if got := u.Query().Get("participants"); got != "PSC,NAC" {
		t.Errorf("participants %q", got)
	}
	if u.Query().Get("venue") != "EUROPA" || u.Query().Get("timezone") != "Europe/Brussels" {
		t.Errorf("venue %q, zone %q", u.Query().Get("venue"), u.Query().Get("timezone"))
	}
	if local := start.In(mustZone(t, "Europe/Brussels")); local.Hour() < 9 || local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
		t.Errorf("slot outside working days and hours: %v", local)
	}
}

// TestAvailabilityMarksBadInput: the form comes back with the field
// marked, the message beside it, and nothing searched.
func TestAvailabilityMarksBadInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(natoPlannerEmail)
	day := s.Today.Format(time.DateOnly)
	for _, tc := range []struct {
		name, query, field, message string
	}{
		{"nobody", "duration=60", "people", "Name at least one"},
		{"not an address", "people=olivia&from=" + day, "people", "is not an e-mail address"},
		{"unknown person", "people=nobody%40nowhere.example", "people", "nobody@nowhere.example"},
		{"bad duration", "body=NAC&duration=7", "duration", "Choose one of the durations"},
		{"bad date", "body=NAC&from=tomorrow", "from", "YYYY-MM-DD"},
		{"window backwards", "body=NAC&from=2030-05-02&to=2030-05-01", "to", "before its start"},
		{"working day backwards", "body=NAC&work_start=18:00&work_end=09:00", "work_end", "must end after"},
		{"window too long", "body=NAC&from=2030-01-01&to=2031-06-01", "to", "one year"},
	} {
		r := c.get("/availability?" + tc.query)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, r.status)
			continue
		}
		marked := `id="av-` + tc.field + `"`
		i := strings.Index(r.body, marked)
		if i < 0 || !strings.Contains(r.body[i:i+400], `aria-invalid="true" aria-describedby="av-`+tc.field+`-error"`) {
			t.Errorf("%s: field %s not marked", tc.name, tc.field)
		}
		if !strings.Contains(r.body, `id="av-`+tc.field+`-error" class="error">`) || !strings.Contains(r.body, tc.message) {
			t.Errorf("%s: no message %q beside %s", tc.name, tc.message, tc.field)
		}
		if strings.Contains(r.body, "slot-link") {
			t.Errorf("%s: slots proposed from bad input", tc.name)
		}
	}
}

// TestAvailabilityGridHidesRestricted: the NATO planner sees that the
// EEAS is busy during the EU-only meeting, and nothing more; the EU
// planner sees its title.
func TestAvailabilityGridHidesRestricted(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	day := hidden.Start.In(mustZone(t, "Europe/Brussels")).Format(time.DateOnly)
	path := "/availability?" + url.Values{"body": {"EEAS"}, "from": {day}, "to": {day}, "work_start": {"00:00"}, "work_end": {"24:00"}, "days": {"all"}}.Encode()
	nato := s.signedIn(natoPlannerEmail).get(path)
	if nato.status != http.StatusOK || !strings.Contains(nato.body, `class="busy" title="busy (restricted)"`) {
		t.Fatalf("NATO planner's grid: %d, restricted busy shown: %v", nato.status, strings.Contains(nato.body, "busy (restricted)"))
	}
	if strings.Contains(nato.body, "EU preparatory") || strings.Contains(nato.body, "/activities/"+itoa(hidden.ID)+`"`) {
		t.Fatal("the NATO planner's grid names the EU-only activity")
	}
	eu := s.signedIn(euPlannerEmail).get(path)
	if eu.status != http.StatusOK || !strings.Contains(eu.body, restrictedDemo) {
		t.Fatalf("EU planner's grid lacks the EU-only activity: %d", eu.status)
	}
}
