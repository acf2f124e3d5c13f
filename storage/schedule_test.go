package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestResourceSchedules: a resource's busy time is listed for everyone,
// but another organisation's restricted activity only as a bare
// restricted block; cancelled activities occupy nothing.
func TestResourceSchedules(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		if _, err := s.CreateVenue(ctx, sys, models.VenueInput{Code: "ROOM", Name: "Room", TimeZone: "Europe/Brussels"}); err != nil {
			t.Fatal(err)
		}
		book := func(title string, start, end string, vis []models.Ref, parts ...models.ParticipantInput) int64 {
			t.Helper()
			w, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: title, Start: mustTime(t, start), End: mustTime(t, end), LeadOrganization: "EU", Visibility: vis, Venue: "ROOM", Participants: parts}, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return w.Activity.ID
		}
		psc := models.ParticipantInput{Type: "body", IDOrCode: "PSC"}
		open := book("Open meeting", "2031-03-03T09:00:00Z", "2031-03-03T10:00:00Z", nil, psc)
		secret := book("EU-only preparation", "2031-03-03T11:00:00Z", "2031-03-03T12:00:00Z", []models.Ref{"EU"}, psc)
		gone := book("Called off", "2031-03-04T11:00:00Z", "2031-03-04T12:00:00Z", nil, psc)
		if _, err := s.UpdateActivity(ctx, sys, gone, models.ActivityInput{Kind: "meeting", Title: "Called off", Start: mustTime(t, "2031-03-04T11:00:00Z"), End: mustTime(t, "2031-03-04T12:00:00Z"), LeadOrganization: "EU", Status: "cancelled", Venue: "ROOM", Participants: []models.ParticipantInput{psc}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		eu, _ := s.GetOrganization(ctx, "EU")
		nato, _ := s.GetOrganization(ctx, "NATO")
		keys := []models.ResourceKey{{Type: models.ResourceBody, IDOrCode: "PSC"}, {Type: models.ResourceVenue, IDOrCode: "ROOM"}, {Type: models.ResourceBody, IDOrCode: "NAC"}}
		from, to := mustTime(t, "2031-03-01T00:00:00Z"), mustTime(t, "2031-03-08T00:00:00Z")
		for _, tc := range []struct {
			name string
			a    models.Actor
			seen bool
		}{
			{"EU planner", models.Actor{Role: models.RolePlanner, OrganizationID: eu.ID}, true},
			{"NATO planner", models.Actor{Role: models.RolePlanner, OrganizationID: nato.ID}, false},
			{"viewer of no organisation", models.Actor{Role: models.RoleViewer}, false},
		} {
			got, err := s.ResourceSchedules(ctx, tc.a, keys, from, to)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(got) != 3 || got[0].Resource.Code != "PSC" || got[1].Resource.Code != "ROOM" || got[2].Resource.Code != "NAC" {
				t.Fatalf("%s: rows %+v", tc.name, got)
			}
			if len(got[2].Busy) != 0 {
				t.Fatalf("%s: NAC is busy: %+v", tc.name, got[2].Busy)
			}
			for _, row := range got[:2] {
				if len(row.Busy) != 2 {
					t.Fatalf("%s: %s busy %+v, want the open and the restricted meeting (not the cancelled one)", tc.name, row.Resource.Code, row.Busy)
				}
				o, r := row.Busy[0], row.Busy[1]
				if o.ActivityID != open || o.Title != "Open meeting" || o.Lead != "EU" || o.Restricted {
					t.Fatalf("%s: open block %+v", tc.name, o)
				}
				if !r.Start.Equal(mustTime(t, "2031-03-03T11:00:00Z")) || !r.End.Equal(mustTime(t, "2031-03-03T12:00:00Z")) {
					t.Fatalf("%s: restricted block at %v–%v", tc.name, r.Start, r.End)
				}
				if tc.seen && (r.ActivityID != secret || r.Title != "EU-only preparation" || r.Restricted) {
					t.Fatalf("%s: own restricted block %+v", tc.name, r)
				}
				if !tc.seen && (r != models.BusyBlock{Start: r.Start, End: r.End, Restricted: true}) {
					t.Fatalf("%s: another organisation's restricted block says more than busy: %+v", tc.name, r)
				}
			}
		}
	})
}

func TestResourceSchedulesRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	world(t, s)
	ctx := context.Background()
	from, to := mustTime(t, "2031-03-01T00:00:00Z"), mustTime(t, "2031-03-08T00:00:00Z")
	for _, tc := range []struct {
		name     string
		keys     []models.ResourceKey
		from, to string
		field    string
	}{
		{"unknown body", []models.ResourceKey{{Type: models.ResourceBody, IDOrCode: "XYZ"}}, "", "", "resources[0]"},
		{"organisation", []models.ResourceKey{{Type: models.ResourceOrganization, IDOrCode: "EU"}}, "", "", "resources[0]"},
		{"window backwards", nil, "2031-03-08T00:00:00Z", "2031-03-01T00:00:00Z", "from"},
		{"window too long", nil, "2031-01-01T00:00:00Z", "2031-06-01T00:00:00Z", "to"},
	} {
		f, e := from, to
		if tc.from != "" {
			f, e = mustTime(t, tc.from), mustTime(t, tc.to)
		}
		_, err := s.ResourceSchedules(ctx, models.System(), tc.keys, f, e)
		var v *models.ValidationError
		if !errors.As(err, &v) || len(v.Errors) == 0 || v.Errors[0].Field != tc.field {
			t.Fatalf("%s: %v, want a validation error on %s", tc.name, err, tc.field)
		}
	}
}
