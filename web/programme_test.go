package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// TestProgramme: the exercises of a window, a line each under their
// series, with their phases, bars placed in percent; bad zooms refused.
func TestProgramme(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	cmx := findActivity(t, s, "NATO Crisis Management Exercise 2023")
	y := cmx.Start.Year()
	// An exercise whose planning overlaps CMX 23's (the demo's own overlap,
	// the 2022 PACE pair, is coordinated on purpose and not a clash).
	if _, err := s.Store.CreateActivity(context.Background(), models.System(), models.ActivityInput{Kind: "exercise", Title: "Overlapping staff exercise",
		Start: cmx.Start, End: cmx.End, TimeZone: cmx.TimeZone, Status: "confirmed", Format: "in_person", LeadOrganization: "NATO", Series: "Test series",
		Participants: []models.ParticipantInput{{Type: "organization", IDOrCode: "NATO"}}}, storage.WriteOptions{OverrideReason: "test"}); err != nil {
		t.Fatal(err)
	}
	c := s.signedIn(natoPlannerEmail)
	r := c.get("/programme?zoom=year&from=" + strconv.Itoa(y-1) + "&to=" + strconv.Itoa(y))
	if r.status != http.StatusOK {
		t.Fatalf("programme: %d", r.status)
	}
	for _, want := range []string{`<h3 class="prog-name">CMX</h3>`, `<h3 class="prog-name">EU Integrated Resolve</h3>`, `href="/activities/` + itoa(cmx.ID) + `" style="left: `, `class="bar phase`, "CMX 23 main planning conference"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the programme lacks %q", want)
		}
	}
	if strings.Contains(r.body, "EU preparatory") {
		t.Error("the programme names an EU-only activity to a NATO planner")
	}
	// The overlap is marked (planning_overlap).
	if !strings.Contains(r.body, `class="bar exercise clashing"`) && !strings.Contains(r.body, `class="bar phase clashing"`) || !strings.Contains(r.body, "planning overlaps with") {
		t.Error("no planning overlap marked")
	}
	// The links to the years before and after name their parameters.
	for _, link := range []string{`<a href="/programme?zoom=year&amp;from=` + strconv.Itoa(y-2) + `&amp;to=` + strconv.Itoa(y-1) + `" rel="prev">`,
		`<a href="/programme?zoom=year&amp;from=` + strconv.Itoa(y) + `&amp;to=` + strconv.Itoa(y+1) + `" rel="next">`} {
		if !strings.Contains(r.body, link) {
			t.Errorf("the programme lacks the link %s", link)
		}
	}
	q := c.get("/programme?zoom=quarter&from=" + strconv.Itoa(y) + "&quarter=" + strconv.Itoa((int(cmx.Start.Month())-1)/3+1))
	if q.status != http.StatusOK || !strings.Contains(q.body, "NATO Crisis Management Exercise 2023") {
		t.Errorf("the quarter of CMX 23: %d", q.status)
	}
	for _, path := range []string{"/programme?zoom=decade", "/programme?from=20x6", "/programme?zoom=year&from=2020&to=2026", "/programme?zoom=quarter&quarter=5"} {
		if r := c.get(path); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="error" role="alert"`) {
			t.Errorf("%s: %d", path, r.status)
		}
	}
}

// TestProgrammeOverlapsBounded: a year holding more planning overlaps
// than the programme reads (70 exercises of one organisation at once:
// 2,415 pairs) marks those it read and says up to when, instead of
// computing them all.
func TestProgrammeOverlapsBounded(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	start := time.Date(s.Today.Year()+1, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := range 70 {
		if _, err := s.Store.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "exercise", Title: fmt.Sprintf("Crowded exercise %d", i),
			Start: start, End: start.AddDate(0, 0, 5), TimeZone: "Europe/Brussels", Status: "confirmed", Format: "in_person", LeadOrganization: "NATO", Series: "Crowd",
			Participants: []models.ParticipantInput{{Type: "organization", IDOrCode: "NATO"}}}, storage.WriteOptions{OverrideReason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.signedIn(natoPlannerEmail)
	y := strconv.Itoa(start.Year())
	r := c.get("/programme?zoom=year&from=" + y + "&to=" + y)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Planning overlaps are marked up to") || !strings.Contains(r.body, `class="bar exercise clashing"`) {
		t.Fatalf("a crowded year: %d, says how far: %v, marks clashes: %v", r.status, strings.Contains(r.body, "Planning overlaps are marked up to"), strings.Contains(r.body, `class="bar exercise clashing"`))
	}
}
