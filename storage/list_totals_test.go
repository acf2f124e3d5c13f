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

// TestActivityListTotals: the activity list's total, which a store keeps
// between requests while the database is unchanged, always equals the
// number of activities the viewer can page through — for planners of
// either organisation (each sees the other's restricted activities not at
// all) and an administrator, for a filter, asked twice, and after a
// create, a restriction and a delete committed by a second store on the
// same database (another process).
func TestActivityListTotals(t *testing.T) {
	t.Parallel()
	storagetest.ForEachPair(t, func(t *testing.T, here, other *storage.Store) {
		ctx := context.Background()
		world(t, here)
		sys := models.System()
		base := time.Date(2031, 5, 5, 9, 0, 0, 0, time.UTC)
		book := func(s *storage.Store, i int, lead models.Ref, restricted bool) *models.WriteResult {
			t.Helper()
			start := base.Add(time.Duration(i) * 3 * time.Hour)
			in := models.ActivityInput{Kind: []string{"meeting", "exercise"}[i%2], Title: fmt.Sprintf("Activity %d", i), LeadOrganization: lead,
				Start: start, End: start.Add(time.Hour), Status: "confirmed", TimeZone: "UTC"}
			if restricted {
				in.Visibility = []models.Ref{lead}
			}
			w, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{})
			if err != nil {
				t.Fatalf("book activity %d: %v", i, err)
			}
			return w
		}
		for i := 0; i < 12; i++ {
			book(here, i, []models.Ref{"EU", "NATO"}[i%2], i%3 == 0)
		}
		actors := map[string]models.Actor{"admin": sys}
		for _, code := range []models.Ref{"EU", "NATO"} {
			o, err := here.GetOrganization(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			actors[string(code)] = models.Actor{Name: "planner", Role: models.RolePlanner, OrganizationID: o.ID}
		}
		// check pages through every list and compares each page's total
		// with what was listed; want is the expected count per actor.
		check := func(step string, want map[string]int) {
			t.Helper()
			for name, a := range actors {
				for _, f := range []models.ActivityFilter{{}, {Kind: "exercise"}} {
					for ask := 0; ask < 2; ask++ {
						f.Limit, f.Cursor = 5, ""
						listed, total := 0, int64(-1)
						for {
							p, err := here.ListActivities(ctx, a, f)
							if err != nil {
								t.Fatalf("%s: %s lists %+v: %v", step, name, f, err)
							}
							if total >= 0 && p.Total != total {
								t.Fatalf("%s: %s's pages disagree on the total: %d then %d", step, name, total, p.Total)
							}
							total, listed = p.Total, listed+len(p.Items)
							if p.NextCursor == "" {
								break
							}
							f.Cursor = p.NextCursor
						}
						if int(total) != listed {
							t.Fatalf("%s: %s (kind %q, asked %d times) is told %d activities and pages through %d", step, name, f.Kind, ask+1, total, listed)
						}
						if f.Kind == "" && listed != want[name] {
							t.Fatalf("%s: %s lists %d activities, want %d", step, name, listed, want[name])
						}
					}
				}
			}
		}
		// 12 activities: EU leads 0,2,…,10 and NATO 1,3,…,11; 0, 3, 6 and
		// 9 are restricted to their lead (EU 0 and 6, NATO 3 and 9).
		check("at the start", map[string]int{"admin": 12, "EU": 10, "NATO": 10})
		added := book(other, 12, "NATO", true)
		check("after the other store booked a NATO-only activity", map[string]int{"admin": 13, "EU": 10, "NATO": 11})
		shared := book(other, 13, "EU", false)
		check("after the other store booked a shared activity", map[string]int{"admin": 14, "EU": 11, "NATO": 12})
		if err := other.DeleteActivity(ctx, sys, added.Activity.ID, added.Activity.Version); err != nil {
			t.Fatal(err)
		}
		check("after the other store deleted the NATO-only activity", map[string]int{"admin": 13, "EU": 11, "NATO": 11})
		in := models.ActivityInput{Kind: "exercise", Title: "Activity 13", LeadOrganization: "EU", Start: base.Add(39 * time.Hour),
			End: base.Add(40 * time.Hour), Status: "confirmed", TimeZone: "UTC", Visibility: []models.Ref{"EU"}}
		if _, err := other.UpdateActivity(ctx, sys, shared.Activity.ID, in, storage.WriteOptions{IfVersion: shared.Activity.Version}); err != nil {
			t.Fatal(err)
		}
		check("after the other store restricted the shared activity to the EU", map[string]int{"admin": 13, "EU": 11, "NATO": 10})
	})
}
