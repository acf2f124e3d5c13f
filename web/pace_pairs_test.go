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
