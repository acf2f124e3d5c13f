package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedContentsIncremental: a listing brought up to date from the
// previous one equals a full listing after every kind of change — edits,
// new activities, deletions, cancellations, an activity made invisible to
// the feed's owner and one moved out of the window — and an unchanged
// feed keeps its version.
func TestFeedContentsIncremental(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		// The activities are written ten minutes before the first listing
		// (creation takes its time from the store's clock), so that the
		// incremental listings re-read only the activities changed since
		// (the margin is five seconds) and keep the others from before.
		s.SetClock(func() time.Time { return time.Now().UTC().Add(-10 * time.Minute) })
		start := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
		in := func(i int) models.ActivityInput {
			at := start.Add(time.Duration(i) * 24 * time.Hour)
			return models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Meeting %d", i), Start: at, End: at.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
		}
		var ids []int64
		for i := range 8 {
			r, err := s.CreateActivity(ctx, sys, in(i), storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.Activity.ID)
		}
		s.SetClock(func() time.Time { return time.Now().UTC() })
		f, _, err := s.CreateFeed(ctx, sys, models.FeedInput{Name: "NATO", Owner: models.FeedOwner{Type: "organization", IDOrCode: "NATO"}}, 20)
		if err != nil {
			t.Fatal(err)
		}
		w := models.FeedWindow{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 30), Retention: 90 * 24 * time.Hour}
		prev, err := s.FeedContents(ctx, f, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(prev.Items) != 8 {
			t.Fatalf("%d items, want 8", len(prev.Items))
		}
		same, err := s.FeedContents(ctx, f, w, &prev)
		if err != nil || same.Version != prev.Version {
			t.Fatalf("unchanged feed: version %q → %q (%v)", prev.Version, same.Version, err)
		}

		update := func(i int, change func(*models.ActivityInput)) {
			t.Helper()
			a := in(i)
			change(&a)
			if _, err := s.UpdateActivity(ctx, sys, ids[i], a, storage.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			name string
			do   func()
		}{
			{"edit", func() { update(0, func(a *models.ActivityInput) { a.Title = "Edited" }) }},
			{"create", func() {
				if _, err := s.CreateActivity(ctx, sys, in(9), storage.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}},
			{"delete", func() {
				if err := s.DeleteActivity(ctx, sys, ids[1], 0); err != nil {
					t.Fatal(err)
				}
			}},
			{"cancel", func() { update(2, func(a *models.ActivityInput) { a.Status = "cancelled" }) }},
			{"restrict to EU", func() { update(3, func(a *models.ActivityInput) { a.Visibility = []models.Ref{"EU"} }) }},
			{"move out of the window", func() {
				update(4, func(a *models.ActivityInput) {
					a.Start, a.End = start.AddDate(1, 0, 0), start.AddDate(1, 0, 0).Add(time.Hour)
				})
			}},
			{"create out of the window", func() {
				a := in(5)
				a.Start, a.End = start.AddDate(2, 0, 0), start.AddDate(2, 0, 0).Add(time.Hour)
				if _, err := s.CreateActivity(ctx, sys, a, storage.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}},
		}
		for _, step := range steps {
			step.do()
			inc, err := s.FeedContents(ctx, f, w, &prev)
			if err != nil {
				t.Fatal(err)
			}
			full, err := s.FeedContents(ctx, f, w, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(inc.Items, full.Items) || inc.Version != full.Version {
				t.Fatalf("after %s: incremental %v (%s), full %v (%s)", step.name, inc.Items, inc.Version, full.Items, full.Version)
			}
			if inc.Version == prev.Version && step.name != "create out of the window" {
				t.Fatalf("after %s the version did not change", step.name)
			}
			prev = inc
		}
		for _, it := range prev.Items {
			if it.ID == ids[3] || it.ID == ids[4] {
				t.Fatalf("activity %d is still listed: %v", it.ID, prev.Items)
			}
		}
	})
}

// TestFeedsPerOwnerHoldUnderConcurrency: many feeds created at once for
// one owner never exceed the limit.
func TestFeedsPerOwnerHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		const limit, tries = 3, 12
		var wg sync.WaitGroup
		var made atomic.Int64
		for i := 0; i < tries; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, _, err := s.CreateFeed(ctx, models.System(), models.FeedInput{Name: fmt.Sprintf("feed %d", i), Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, limit)
				if err == nil {
					made.Add(1)
				}
			}(i)
		}
		wg.Wait()
		if made.Load() != limit {
			t.Fatalf("%d feeds made for one owner, limit %d", made.Load(), limit)
		}
	})
}
