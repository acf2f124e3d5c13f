package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
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

// TestProgrammePaged: a window holding more phases than a page draws
// shows the first ones, says how many there are, and links the next page,
// which links back to the first; every phase is on one of the pages.
func TestProgrammePaged(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	start := time.Date(s.Today.Year()+2, 3, 2, 8, 0, 0, 0, time.UTC)
	const phases = 201
	for i := range phases {
		day := start.AddDate(0, 0, i)
		if _, err := s.Store.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "exercise_phase", Title: fmt.Sprintf("Load phase %03d", i),
			Start: day, End: day.Add(2 * time.Hour), TimeZone: "Europe/Brussels", Status: "confirmed", Format: "in_person", LeadOrganization: "NATO", Series: "Load"}, storage.WriteOptions{OverrideReason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.signedIn(natoPlannerEmail)
	y := strconv.Itoa(start.Year())
	first := "/programme?zoom=year&from=" + y + "&to=" + y
	r := c.get(first)
	if r.status != http.StatusOK {
		t.Fatalf("programme: %d", r.status)
	}
	total := regexp.MustCompile(`This page shows 200 of the (\d+) phases`).FindStringSubmatch(r.body)
	if total == nil {
		t.Fatal("the first page does not say how many phases it shows of how many")
	}
	if n, _ := strconv.Atoi(total[1]); n < phases {
		t.Errorf("%d phases counted, want at least %d", n, phases)
	}
	seen := map[string]bool{}
	next := regexp.MustCompile(`<a href="(/programme\?[^"]*phases=[^"]*)">Next phases`)
	for page := 1; ; page++ {
		for _, m := range regexp.MustCompile(`Load phase \d{3}`).FindAllString(r.body, -1) {
			seen[m] = true
		}
		link := next.FindStringSubmatch(r.body)
		if link == nil {
			break
		}
		if page > 5 {
			t.Fatal("more pages than phases")
		}
		r = c.get(html.UnescapeString(link[1]))
		back := regexp.MustCompile(`<a href="(/programme\?[^"]*)">Back to the first page`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || back == nil {
			t.Fatalf("page %d: %d, links back to the first: %v", page+1, r.status, back != nil)
		}
		if b := c.get(html.UnescapeString(back[1])); !strings.Contains(b.body, "This page shows 200 of the") || strings.Contains(b.body, "Back to the first page") {
			t.Errorf("the link back from page %d does not lead to the first", page+1)
		}
	}
	if len(seen) != phases {
		t.Errorf("%d of the %d phases shown across the pages", len(seen), phases)
	}
	fr := s.signedIn(natoPlannerEmail)
	fr.lang = "fr"
	if r := fr.get(first); !strings.Contains(r.body, "Cette page montre 200 des") || !strings.Contains(r.body, "Phases suivantes") {
		t.Error("the French page does not say how many phases it shows")
	}
	if r := c.get(first + "&phases=nonsense"); r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
		t.Errorf("a bad cursor: %d", r.status)
	}
}
