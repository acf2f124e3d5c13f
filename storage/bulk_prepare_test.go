package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestBulkPrepareBesideWrite: a batch prepared while the batch before it
// was still unwritten (as a generation overlaps them) does not write
// again what that batch wrote, and counts it as existing.
func TestBulkPrepareBesideWrite(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start := time.Date(2031, 5, 5, 9, 0, 0, 0, time.UTC)
		if _, err := demo.Scale(ctx, s, 1, start, 11, nil); err != nil { // organisations, people, rooms
			t.Fatal(err)
		}
		w, err := s.NewBulkWriter(models.System(), "test data")
		if err != nil {
			t.Fatal(err)
		}
		item := func(i int) models.BulkActivity {
			begin := start.Add(time.Duration(i) * 24 * time.Hour)
			return models.BulkActivity{SourceUID: fmt.Sprintf("prepare-test-%d", i), Input: models.ActivityInput{
				Kind: string(models.KindMeeting), Title: fmt.Sprintf("Prepared %d", i), Start: begin, End: begin.Add(time.Hour),
				TimeZone: "Europe/Brussels", LeadOrganization: "EU", Venue: "ROOM-1",
				Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "staff1@scale.example"}}}}
		}
		first, err := w.Prepare(ctx, []models.BulkActivity{item(1), item(2), item(3)})
		if err != nil {
			t.Fatal(err)
		}
		second, err := w.Prepare(ctx, []models.BulkActivity{item(3), item(4), item(5)}) // before the first is written
		if err != nil {
			t.Fatal(err)
		}
		if res, err := w.WritePrepared(ctx, first); err != nil || res.Created != 3 || res.Existing != 0 {
			t.Fatalf("first batch: %+v, %v; want 3 created", res, err)
		}
		if res, err := w.WritePrepared(ctx, second); err != nil || res.Created != 2 || res.Existing != 1 {
			t.Fatalf("second batch: %+v, %v; want 2 created, 1 existing", res, err)
		}
		page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{ListOptions: models.ListOptions{Limit: 1}})
		if err != nil || page.Total != 1+5 { // the one Scale made, five prepared
			t.Fatalf("activities: %d, %v; want 6", page.Total, err)
		}
	})
}
