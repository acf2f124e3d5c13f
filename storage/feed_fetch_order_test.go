package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedFetchBatchesFromSeveralProcesses: serve processes sharing a
// database flush their fetch statistics at the same moments, each batch in
// its own order; on PostgreSQL two batches locking the same feed rows in
// different orders deadlocked and lost their counts. Every batch must be
// written and every poll counted.
func TestFeedFetchBatchesFromSeveralProcesses(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 8 {
			f, _, err := s.CreateFeed(ctx, sys, models.FeedInput{Name: fmt.Sprintf("feed %d", i), Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 20)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, f.ID)
		}
		const flushers, rounds = 4, 25
		var wg sync.WaitGroup
		errs := make(chan error, flushers*rounds)
		for w := range flushers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for range rounds {
					batch := make([]models.FeedFetch, 0, len(ids))
					for _, i := range rng.Perm(len(ids)) { // a map's order, as the recorder's
						batch = append(batch, models.FeedFetch{FeedID: ids[i], At: time.Now().UTC(), UserAgent: "test", Count: 1})
					}
					if err := s.RecordFeedFetches(ctx, batch); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("record fetches: %v", err)
		}
		page, err := s.ListFeeds(ctx, sys, models.ListOptions{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Items {
			if f.FetchCount != flushers*rounds {
				t.Errorf("feed %d counted %d polls, want %d", f.ID, f.FetchCount, flushers*rounds)
			}
		}
	})
}
