package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAcceptConflict: a planner of one side accepts a clash with a note,
// audited; the agenda finds it from either side; the other organisation
// cannot accept a clash of another's plans alone, nor name an activity it
// may not see.
func TestAcceptConflict(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		psc := []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}
		book := func(title, lead string, vis []models.Ref) int64 {
			t.Helper()
			w, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: title, Start: mustTime(t, "2031-04-01T09:00:00Z"), End: mustTime(t, "2031-04-01T11:00:00Z"), LeadOrganization: models.Ref(lead), Visibility: vis, Participants: psc}, storage.WriteOptions{OverrideReason: "test clash"})
			if err != nil {
				t.Fatal(err)
			}
			return w.Activity.ID
		}
		first := book("PSC meeting", "EU", nil)
		second := book("PSC briefing", "EU", nil)
		hidden := book("EU-only PSC preparation", "EU", []models.Ref{"EU"})
		eu, _ := s.GetOrganization(ctx, "EU")
		nato, _ := s.GetOrganization(ctx, "NATO")
		euPlanner := models.Actor{Name: "EU planner", Role: models.RolePlanner, OrganizationID: eu.ID}
		natoPlanner := models.Actor{Name: "NATO planner", Role: models.RolePlanner, OrganizationID: nato.ID}

		list, err := s.ListConflicts(ctx, euPlanner, models.ConflictFilter{From: mustTime(t, "2031-04-01T00:00:00Z"), To: mustTime(t, "2031-04-02T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		var k models.ConflictKey
		for _, c := range list {
			if key := c.Key(); key.ActivityID == first && key.OtherID == second {
				k = key
			}
		}
		if k.ActivityID == 0 {
			t.Fatalf("no clash between %d and %d in %+v", first, second, list)
		}
		// From the other side, the same key.
		flipped := models.ListedConflict{Activity: models.ActivityRef{ID: second}, ConflictView: models.ConflictView{Rule: k.Rule, Other: models.OtherView{ActivityID: first}, Overlap: models.SpanView{Start: k.Occurrence}}}
		if flipped.Key() != k {
			t.Fatalf("the key depends on the side: %+v vs %+v", flipped.Key(), k)
		}

		var v *models.ValidationError
		if _, err := s.AcceptConflict(ctx, euPlanner, k, "  "); !errors.As(err, &v) || v.Errors[0].Field != "note" {
			t.Fatalf("empty note: %v", err)
		}
		var forbidden *models.ForbiddenError
		if _, err := s.AcceptConflict(ctx, natoPlanner, k, "fine by us"); !errors.As(err, &forbidden) {
			t.Fatalf("NATO planner accepts an EU clash: %v", err)
		}
		if _, err := s.AcceptConflict(ctx, natoPlanner, models.ConflictKey{ActivityID: first, OtherID: hidden, Rule: k.Rule, Occurrence: k.Occurrence}, "probe"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("NATO planner names an EU-only activity: %v", err)
		}
		got, err := s.AcceptConflict(ctx, euPlanner, k, "The PSC sits for both, agreed with the chair.")
		if err != nil {
			t.Fatal(err)
		}
		if got.AcceptedBy != "EU planner" || got.Note != "The PSC sits for both, agreed with the chair." {
			t.Fatalf("recorded %+v", got)
		}
		var dup *models.DuplicateError
		if _, err := s.AcceptConflict(ctx, euPlanner, k, "again"); !errors.As(err, &dup) {
			t.Fatalf("second accept: %v", err)
		}
		marks, err := s.AcceptedConflicts(ctx, []models.ConflictKey{k, {ActivityID: first, OtherID: hidden, Rule: k.Rule, Occurrence: k.Occurrence}})
		if err != nil || len(marks) != 1 || marks[k].Note != got.Note {
			t.Fatalf("marks %+v, %v", marks, err)
		}
		history, err := s.ActivityHistory(ctx, euPlanner, first, 10)
		if err != nil {
			t.Fatal(err)
		}
		if history[0].Action != "accept_conflict" || history[0].Reason != got.Note {
			t.Fatalf("no audit entry: %+v", history[0])
		}
	})
}
