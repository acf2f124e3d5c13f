package storage_test

import (
	"context"
	"errors"
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
		// Days from base, in the order of creation: two share a start.
		days := []int{3, -40, 12, 3, 0, 90, -1}
		var ids []int64
		for _, d := range days {
			start := base.AddDate(0, 0, d)
			a, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "exercise", Title: "Exercise", Start: start, End: start.Add(time.Hour), TimeZone: "UTC", LeadOrganization: "EU"}, storage.WriteOptions{OverrideReason: "test"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.Activity.ID)
		}
		// By start, latest first; the two on day 3 by id, highest first.
		want := []int64{ids[5], ids[2], ids[3], ids[0], ids[4], ids[6], ids[1]}
		f := models.ActivityFilter{Kind: "exercise", LatestFirst: true, ListOptions: models.ListOptions{Limit: 2}}
		var got []int64
		for pages := 0; ; pages++ {
			if pages > len(days) {
				t.Fatal("the pages do not end")
			}
			page, err := s.ListActivities(ctx, models.System(), f)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != int64(len(days)) {
				t.Errorf("total %d, want %d", page.Total, len(days))
			}
			for _, a := range page.Items {
				got = append(got, a.ID)
			}
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		if len(got) != len(want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("listed %v, want %v", got, want)
			}
		}
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
