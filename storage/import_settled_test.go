package storage_test

import (
	"context"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestLargeReimportSeesAnEditedActivity: an all-or-nothing re-import of
// more than one chunk recognises the unchanged events without loading
// them twice, and still puts back what a planner changed in one of them.
func TestLargeReimportSeesAnEditedActivity(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		file := generateCalendar(t, generated{prefix: "settled", n: 450, invalid: -1})
		if rep, err := s.Import(ctx, sys, file, models.ImportOptions{Organization: "EU"}); err != nil || rep.Created != 450 {
			t.Fatalf("first import: %+v, %v", rep, err)
		}
		if rep, err := s.Import(ctx, sys, file, models.ImportOptions{Organization: "EU"}); err != nil || rep.Unchanged != 450 || rep.Updated != 0 {
			t.Fatalf("unchanged re-import: %+v, %v", rep, err)
		}
		page, err := s.ListActivities(ctx, sys, models.ActivityFilter{Q: "settled event 300"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("find the activity: %d found, %v", len(page.Items), err)
		}
		edited := page.Items[0]
		in := edited.Input()
		in.Title = "Renamed by a planner"
		if _, err := s.UpdateActivity(ctx, sys, edited.ID, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Import(ctx, sys, file, models.ImportOptions{Organization: "EU"})
		if err != nil || rep.Unchanged != 449 || rep.Updated != 1 {
			t.Fatalf("re-import after the edit: %+v, %v", rep, err)
		}
		got, err := s.GetActivity(ctx, sys, edited.ID)
		if err != nil || got.Title != "settled event 300" {
			t.Fatalf("title %q, %v", got.Title, err)
		}
	})
}
