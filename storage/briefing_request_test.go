package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestBriefingScheduleRace: two host planners scheduling the same request
// at once book one activity; the other is told the request is decided.
// An undecided request expires once its window passes.
func TestBriefingScheduleRace(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		now := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		ask := func(from, to string) int64 {
			r, err := s.RequestBriefing(ctx, act["EU"], models.BriefingRequestInput{Briefer: "ana@eeas.example", Body: "NAC", Topic: "Military mobility",
				Area: "defence_capabilities", From: mustTime(t, from), To: mustTime(t, to), Duration: "PT1H"})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		id := ask("2031-02-03T00:00:00Z", "2031-02-08T00:00:00Z")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, start := range []string{"2031-02-03T09:00:00Z", "2031-02-04T09:00:00Z"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.ScheduleBriefing(ctx, act["NATO"], id, mustTime(t, start))
			}()
		}
		wg.Wait()
		var se *models.StateError
		if (errs[0] == nil) == (errs[1] == nil) || !(errors.As(errs[0], &se) || errors.As(errs[1], &se)) || se.Kind != "briefing-closed" {
			t.Fatalf("concurrent scheduling: %v", errs)
		}
		page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{Kind: "cross_briefing"})
		if err != nil || page.Total != 1 {
			t.Fatalf("%d cross-briefings booked (%v), want 1", page.Total, err)
		}

		late := ask("2031-03-02T00:00:00Z", "2031-03-06T00:00:00Z")
		mu.Lock()
		now = time.Date(2031, 3, 6, 0, 0, 0, 0, time.UTC)
		mu.Unlock()
		if n, err := s.ExpireBriefingRequests(ctx); err != nil || n != 1 {
			t.Fatalf("expired %d (%v), want 1", n, err)
		}
		r, err := s.GetBriefingRequest(ctx, act["NATO"], late)
		if err != nil || r.State != "expired" {
			t.Fatalf("after the window: %v %+v", err, r)
		}
		if _, err := s.GetBriefingRequest(ctx, models.Actor{Role: models.RoleViewer, OrganizationID: act["US"].OrganizationID}, late); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a third organisation sees the request: %v", err)
		}
	})
}
