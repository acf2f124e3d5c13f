package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestListActivitiesLatestFirst: the list ordered by start, latest first,
// pages through every activity once in that order (ties by id, highest
// first), whatever order they were created in, and refuses a cursor it
// did not issue.
func TestListActivitiesLatestFirst(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		base := mustTime(t, "2031-04-01T09:00:00Z")
		// Starts in the order of creation: two share one (a tie that
		// falls on a page's edge at limits 1 and 3), and one is past 2262,
		// beyond what nanoseconds since 1970 hold.
		starts := []time.Time{base.AddDate(0, 0, 3), base.AddDate(0, 0, -40), base.AddDate(0, 0, 12), base.AddDate(0, 0, 3), base,
			base.AddDate(0, 0, 90), base.AddDate(0, 0, -1), mustTime(t, "2300-01-01T09:00:00Z")}
		var ids []int64
		for _, start := range starts {
			a, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "exercise", Title: "Exercise", Start: start, End: start.Add(time.Hour), TimeZone: "UTC", LeadOrganization: "EU"}, storage.WriteOptions{OverrideReason: "test"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.Activity.ID)
		}
		// By start, latest first; the two of day 3 by id, highest first.
		want := []int64{ids[7], ids[5], ids[2], ids[3], ids[0], ids[4], ids[6], ids[1]}
		var f models.ActivityFilter
		for _, limit := range []int{1, 2, 3, 50} {
			f = models.ActivityFilter{Kind: "exercise", LatestFirst: true, ListOptions: models.ListOptions{Limit: limit}}
			var got []int64
			for pages := 0; ; pages++ {
				if pages > len(starts) {
					t.Fatalf("limit %d: the pages do not end", limit)
				}
				page, err := s.ListActivities(ctx, models.System(), f)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != int64(len(starts)) {
					t.Errorf("limit %d: total %d, want %d", limit, page.Total, len(starts))
				}
				for _, a := range page.Items {
					got = append(got, a.ID)
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d: listed %v, want %v", limit, got, want)
			}
		}
		f.Limit = 2
		// A cursor of the list by id is no cursor of this order.
		byID, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{Kind: "exercise", ListOptions: models.ListOptions{Limit: 2}})
		if err != nil {
			t.Fatal(err)
		}
		f.Cursor = byID.NextCursor
		var verr *models.ValidationError
		if _, err := s.ListActivities(ctx, models.System(), f); !errors.As(err, &verr) {
			t.Errorf("a cursor of the list by id: %v, want a validation error", err)
		}
	})
}
