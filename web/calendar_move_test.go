package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// dragFixture books, on a Wednesday a few weeks ahead, a PSC meeting at
// 10:00 and an EU cross-briefing to the PSC at 14:00 (Brussels): moving
// the briefing to 10:00 double-books the PSC.
type dragFixture struct {
	Day               time.Time
	Meeting, Briefing models.ActivityView
}

const dragMeetingTitle = "PSC meeting on the Western Balkans"

func newDragFixture(t testing.TB, s *site) dragFixture {
	t.Helper()
	bxl, _ := time.LoadLocation("Europe/Brussels")
	d := s.Today.In(bxl).AddDate(0, 0, 21)
	for d.Weekday() != time.Wednesday {
		d = d.AddDate(0, 0, 1)
	}
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, bxl)
	req := true
	book := func(kind, title string, hour int) models.ActivityView {
		start := d.Add(time.Duration(hour) * time.Hour)
		r, err := s.Store.CreateActivity(context.Background(), models.System(), models.ActivityInput{Kind: kind, Title: title, Start: start, End: start.Add(time.Hour),
			TimeZone: "Europe/Brussels", LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC", Required: &req}}}, storage.WriteOptions{})
		if err != nil {
			t.Fatalf("book %s: %v", title, err)
		}
		return r.Activity
	}
	return dragFixture{Day: d, Meeting: book("meeting", dragMeetingTitle, 10), Briefing: book("cross_briefing", "EU cross-briefing to be dragged", 14)}
}

func TestCalendarMove(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	fx := newDragFixture(t, s)
	eu := s.signedIn(euPlannerEmail)
	nato := s.signedIn(natoPlannerEmail)

	// What may be dragged is the store's answer.
	window := "/calendar/events?start=" + fx.Day.Format("2006-01-02") + "&end=" + fx.Day.AddDate(0, 0, 1).Format("2006-01-02")
	editable := func(c *client) map[string]bool {
		r := c.do("GET", window, nil, map[string]string{"Accept": "application/json"})
		var evs []struct {
			Title    string `json:"title"`
			Editable bool   `json:"editable"`
			Start    bool   `json:"startEditable"`
		}
		if err := json.Unmarshal([]byte(r.body), &evs); err != nil {
			t.Fatalf("events: %v %s", err, r.body)
		}
		out := map[string]bool{}
		for _, e := range evs {
			out[e.Title] = e.Editable && e.Start
		}
		return out
	}
	if got := editable(eu); !got[fx.Briefing.Title] {
		t.Errorf("the EU planner may not drag the EU briefing: %v", got)
	}
	if got := editable(nato); got[fx.Briefing.Title] {
		t.Errorf("the NATO planner may drag the EU briefing: %v", got)
	}

	move := func(c *client, reason string, token bool) answer {
		body, _ := json.Marshal(map[string]any{"id": fx.Briefing.ID, "occurrence": fx.Briefing.Start.UTC().Format(time.RFC3339),
			"start": fx.Day.Format("2006-01-02") + "T10:00:00", "end": fx.Day.Format("2006-01-02") + "T11:00:00", "override_reason": reason})
		h := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
		if token {
			h["X-CSRF-Token"] = c.csrf()
		}
		return c.do("POST", "/calendar/move", strings.NewReader(string(body)), h)
	}
	if r := move(eu, "", false); r.status != http.StatusForbidden {
		t.Errorf("move without a CSRF token: %d", r.status)
	}
	if r := move(nato, "", true); r.status != http.StatusForbidden {
		t.Errorf("NATO planner moves the EU briefing: %d %s", r.status, r.body)
	}
	r := move(eu, "", true)
	var ans struct {
		Moved   bool `json:"moved"`
		Clashes []struct{ Severity, Title, URL string }
	}
	if err := json.Unmarshal([]byte(r.body), &ans); err != nil || r.status != http.StatusConflict || ans.Moved || len(ans.Clashes) == 0 {
		t.Fatalf("move onto the meeting: %d %s", r.status, r.body)
	}
	if c := ans.Clashes[0]; c.Severity != "hard" || c.Title != dragMeetingTitle || c.URL != "/activities/"+strconv.FormatInt(fx.Meeting.ID, 10) {
		t.Errorf("clash %+v", c)
	}
	if v, _ := s.Store.GetActivity(context.Background(), models.System(), fx.Briefing.ID); !v.Start.Equal(fx.Briefing.Start) {
		t.Errorf("a refused move moved the briefing to %s", v.Start)
	}
	if r := move(eu, "The PSC chair moved the briefing", true); r.status != http.StatusOK {
		t.Fatalf("override: %d %s", r.status, r.body)
	}
	page := eu.get("/activities/" + strconv.FormatInt(fx.Briefing.ID, 10))
	if !strings.Contains(page.body, "The PSC chair moved the briefing") {
		t.Errorf("the override's reason is not in the history")
	}
	// Another organisation's restricted activity is not found, and not named.
	hidden := findActivity(t, s, restrictedDemo)
	body := `{"id":` + strconv.FormatInt(hidden.ID, 10) + `,"occurrence":"` + hidden.Start.UTC().Format(time.RFC3339) + `","start":"2030-01-01T10:00:00","end":"2030-01-01T11:00:00"}`
	r = nato.do("POST", "/calendar/move", strings.NewReader(body), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": nato.csrf()})
	if r.status != http.StatusNotFound || strings.Contains(r.body, restrictedDemo) {
		t.Errorf("NATO moves the EU-only meeting: %d %s", r.status, r.body)
	}
}
