package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedListingForms: a full listing finds the same activities whether
// it collects the window's occurrences first or asks each activity, for
// wide and narrow windows, long and recurring events, restricted,
// cancelled and deleted ones; and the per-activity form is chosen only
// for a window spanning most of the occurrences (on SQLite).
func TestFeedListingForms(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx, sys := context.Background(), models.System()
		start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, -6, 0).Add(9 * time.Hour)
		for i := 0; i < 40; i++ {
			day := start.AddDate(0, 0, 19*i)
			in := models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Talks %d", i), Start: day, End: day.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
			switch i % 5 {
			case 1:
				in.RRule = "FREQ=WEEKLY;COUNT=10"
			case 2:
				in.End = day.AddDate(0, 0, 12) // a long one
			case 3:
				in.Visibility = []models.Ref{"EU"}
			}
			res, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			switch i % 7 {
			case 4:
				in.Status = "cancelled"
				if _, err := s.UpdateActivity(ctx, sys, res.Activity.ID, in, storage.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			case 5:
				if err := s.DeleteActivity(ctx, sys, res.Activity.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		for _, tc := range []struct {
			name     string
			from, to time.Time
			wide     bool
		}{
			{"default", today.AddDate(0, 0, -90), today.AddDate(3, 0, 0), true},
			{"everything", start.AddDate(-1, 0, 0), start.AddDate(5, 0, 0), true},
			{"a month", today.AddDate(0, 1, 0), today.AddDate(0, 2, 0), false},
			{"a day inside a long event", start.AddDate(0, 0, 2*19+5), start.AddDate(0, 0, 2*19+6), false},
			{"after everything", start.AddDate(6, 0, 0), start.AddDate(7, 0, 0), false},
		} {
			for _, org := range []string{"EU", "NATO"} {
				owner, err := s.GetOrganization(ctx, models.Ref(org))
				if err != nil {
					t.Fatal(err)
				}
				f := &models.Feed{ID: 1, Name: org, OwnerType: "organization", OwnerID: owner.ID}
				w := models.FeedWindow{From: tc.from, To: tc.to, Retention: 90 * 24 * time.Hour}
				byRange, perActivity, chosePerActivity, err := s.FeedItemsEachForm(ctx, f, w)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(byRange, perActivity) {
					t.Errorf("%s, %s: by range %v, per activity %v", tc.name, org, byRange, perActivity)
				}
				if tc.name != "after everything" && len(byRange) == 0 {
					t.Errorf("%s, %s: nothing listed", tc.name, org)
				}
				if want := tc.wide && s.Dialect() == models.SQLite; chosePerActivity != want {
					t.Errorf("%s, %s: per-activity form chosen %v, want %v", tc.name, org, chosePerActivity, want)
				}
			}
		}
	})
}
