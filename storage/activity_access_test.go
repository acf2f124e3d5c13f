package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestCanWriteActivity: the lead organisation's planner and an
// administrator may change an activity; another organisation's planner,
// a viewer and anyone who cannot see it may not.
func TestCanWriteActivity(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		orgs, err := s.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: models.ListOptions{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		id := map[string]int64{}
		for _, o := range orgs.Items {
			id[o.Code] = o.ID
		}
		start := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
		open, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Open", Start: start, End: start.Add(time.Hour), TimeZone: "UTC", LeadOrganization: "EU"}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		hidden, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "EU only", Start: start, End: start.Add(time.Hour), TimeZone: "UTC", LeadOrganization: "EU", Visibility: []models.Ref{"EU"}}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		euPlanner := models.Actor{PersonID: 1, Role: models.RolePlanner, OrganizationID: id["EU"]}
		natoPlanner := models.Actor{PersonID: 2, Role: models.RolePlanner, OrganizationID: id["NATO"]}
		euViewer := models.Actor{PersonID: 1, Role: models.RoleViewer, OrganizationID: id["EU"]}
		tests := []struct {
			name string
			a    models.Actor
			id   int64
			want bool
		}{
			{"admin", models.System(), open.Activity.ID, true},
			{"lead's planner", euPlanner, open.Activity.ID, true},
			{"lead's planner, restricted", euPlanner, hidden.Activity.ID, true},
			{"other planner", natoPlanner, open.Activity.ID, false},
			{"other planner, cannot see", natoPlanner, hidden.Activity.ID, false},
			{"viewer", euViewer, open.Activity.ID, false},
			{"read-only token", models.Actor{Role: models.RolePlanner, OrganizationID: id["EU"], Scope: models.ScopeRead}, open.Activity.ID, false},
			{"missing", models.System(), 999999, false},
		}
		for _, tt := range tests {
			got, err := s.CanWriteActivity(ctx, tt.a, tt.id)
			if err != nil || got != tt.want {
				t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
			}
		}
		w, err := s.WriteAccess(ctx, natoPlanner)
		if err != nil {
			t.Fatal(err)
		}
		if !w.LedBy("NATO") || w.LedBy("EU") || w.LedBy("nope") {
			t.Errorf("NATO planner's write access: NATO %v, EU %v, unknown %v", w.LedBy("NATO"), w.LedBy("EU"), w.LedBy("nope"))
		}
	})
}
