package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/web"
)

// TestPacePairsOfferEveryExercise: the exercises a PACE pair may name are
// not cut at the calendar's bound (1,000): the last created is offered.
func TestPacePairsOfferEveryExercise(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	start := time.Date(s.Today.Year()+1, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := range 1001 {
		day := start.Add(time.Duration(i) * 3 * time.Hour)
		in := models.ActivityInput{Kind: "exercise", Title: fmt.Sprintf("Bulk exercise %04d", i), Start: day, End: day.Add(time.Hour),
			TimeZone: "Europe/Brussels", Status: "confirmed", Format: "in_person", LeadOrganization: "NATO", Series: "B"}
		if _, err := s.Store.CreateActivity(ctx, models.System(), in, storage.WriteOptions{OverrideReason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if r := s.signedIn(natoPlannerEmail).get("/pace-pairs"); r.status != http.StatusOK || !strings.Contains(r.body, "Bulk exercise 1000") {
		t.Fatalf("/pace-pairs: %d; the last of 1,001 exercises offered: %v", r.status, strings.Contains(r.body, "Bulk exercise 1000"))
	}
}

// TestPacePairsBoundKeepsTheLatestExercises: past the page's bound, the
// exercises offered are the latest by start, not the first created. Not
// parallel: it lowers the page's bound, a package variable, and the
// parallel tests run only once it is done.
func TestPacePairsBoundKeepsTheLatestExercises(t *testing.T) {
	const bound = 3
	t.Cleanup(web.SetMaxPaceExercises(bound))
	s := newSite(t)
	ctx := context.Background()
	// The latest exercises are created before one that starts long ago,
	// and after the demo's: by id, the bound would keep the demo's.
	future := time.Date(s.Today.Year()+3, 3, 1, 8, 0, 0, 0, time.UTC)
	past := time.Date(s.Today.Year()-5, 3, 1, 8, 0, 0, 0, time.UTC)
	exercises := []struct {
		title string
		start time.Time
	}{
		{"Latest exercise A", future},
		{"Latest exercise B", future.AddDate(0, 1, 0)},
		{"Latest exercise C", future.AddDate(0, 2, 0)},
		{"Long past exercise", past},
	}
	for _, x := range exercises {
		in := models.ActivityInput{Kind: "exercise", Title: x.title, Start: x.start, End: x.start.Add(time.Hour),
			TimeZone: "Europe/Brussels", Status: "confirmed", Format: "in_person", LeadOrganization: "NATO", Series: "B"}
		if _, err := s.Store.CreateActivity(ctx, models.System(), in, storage.WriteOptions{OverrideReason: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	r := s.signedIn(natoPlannerEmail).get("/pace-pairs")
	if r.status != http.StatusOK {
		t.Fatalf("/pace-pairs: %d", r.status)
	}
	for _, x := range exercises {
		want := x.start.After(s.Today)
		if got := strings.Contains(r.body, x.title); got != want {
			t.Errorf("%q offered: %v, want %v", x.title, got, want)
		}
	}
	// Each of the pair's two choices offers the bound's exercises, no more.
	if n := strings.Count(r.body, "(NATO, "); n != 2*bound {
		t.Errorf("%d choices of exercises led by NATO, want %d (the bound in each of two)", n, 2*bound)
	}
}
