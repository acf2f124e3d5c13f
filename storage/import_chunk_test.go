package storage_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestImportLetsOtherWritesThrough: a booking made while a large import
// runs is written between the import's chunks, before the import ends,
// instead of waiting behind the whole file.
func TestImportLetsOtherWritesThrough(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		parsed := generateCalendar(t, generated{prefix: "chunk", n: 800, invalid: -1})
		var importDone atomic.Bool
		started := make(chan struct{})
		errc := make(chan error, 1)
		go func() {
			var once bool
			_, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU", Progress: func(done, total int) {
				if done > 0 && !once {
					once = true
					close(started)
				}
			}})
			importDone.Store(true)
			errc <- err
		}()
		<-started
		start := time.Date(2035, 1, 1, 9, 0, 0, 0, time.UTC)
		if _, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Booked during the import", Start: start, End: start.Add(time.Hour), LeadOrganization: "NATO"}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if importDone.Load() {
			t.Fatal("the booking waited for the whole import")
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
}

// TestLargeImportIsAllOrNothing: one invalid event anywhere in a file of
// several chunks means nothing is written (unless partial).
func TestLargeImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		rep, err := s.Import(ctx, models.System(), generateCalendar(t, generated{prefix: "chunk", n: 450, invalid: 420}), models.ImportOptions{Organization: "EU"})
		if err != models.ErrImportInvalid || len(rep.Errors) != 1 || rep.Errors[0].UID != "chunk-420" {
			t.Fatalf("err=%v report errors=%v", err, rep.Errors)
		}
		page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{})
		if err != nil || page.Total != 0 {
			t.Fatalf("%d activities written (%v)", page.Total, err)
		}
		rep, err = s.Import(ctx, models.System(), generateCalendar(t, generated{prefix: "chunk", n: 450, invalid: 420}), models.ImportOptions{Organization: "EU", Partial: true})
		if err != nil || rep.Created != 449 || len(rep.Errors) != 1 {
			t.Fatalf("partial: err=%v created=%d errors=%d", err, rep.Created, len(rep.Errors))
		}
	})
}
