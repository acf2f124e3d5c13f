package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// The children of an exercise are listed by start, each only to those
// who may see it: a phase restricted to one organisation is not listed
// to the other, and a deleted one to nobody.
func TestListChildrenShowsWhatTheActorMaySee(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		tpl, err := s.CreateExerciseTemplate(ctx, sys, lifecycleTemplate())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2032, 10, 4, 9, 0, 0, 0, time.UTC)
		res, err := s.InstantiateTemplate(ctx, sys, models.Ref(fmt.Sprint(tpl.ID)), models.ActivityInput{Title: "EU IR 32", Start: start, End: start.AddDate(0, 0, 5), TimeZone: "Europe/Brussels"}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// One phase becomes EU-only, one is deleted.
		hidden, gone := res.Children[2], res.Children[4]
		in := hidden.Input()
		in.Visibility = []models.Ref{"EU"}
		if _, err := s.UpdateActivity(ctx, sys, hidden.ID, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteActivity(ctx, sys, gone.ID, 0); err != nil {
			t.Fatal(err)
		}
		eu := models.Actor{Name: "eu", Role: models.RolePlanner, OrganizationID: orgID(t, s, "EU")}
		nato := models.Actor{Name: "nato", Role: models.RolePlanner, OrganizationID: orgID(t, s, "NATO")}
		for _, tc := range []struct {
			name       string
			a          models.Actor
			want       int
			seesHidden bool
		}{{"EU", eu, 9, true}, {"NATO", nato, 8, false}, {"admin", sys, 9, true}} {
			kids, err := s.ListChildren(ctx, tc.a, res.Activity.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(kids) != tc.want {
				t.Errorf("%s sees %d children, want %d", tc.name, len(kids), tc.want)
			}
			sawHidden := false
			for i, k := range kids {
				if k.ID == gone.ID {
					t.Errorf("%s sees the deleted child", tc.name)
				}
				sawHidden = sawHidden || k.ID == hidden.ID
				if i > 0 && k.Start.Before(kids[i-1].Start) {
					t.Errorf("%s: children not by start: %s before %s", tc.name, kids[i-1].Start, k.Start)
				}
			}
			if sawHidden != tc.seesHidden {
				t.Errorf("%s sees the EU-only child: %v", tc.name, sawHidden)
			}
		}
		if kids, err := s.ListChildren(ctx, eu, hidden.ID); err != nil || len(kids) != 0 {
			t.Errorf("a phase has %d children (%v)", len(kids), err)
		}
	})
}
