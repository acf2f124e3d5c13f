package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// loadedOnFirstDay loads the demo on the first of the test days, the
// store's clock standing on it, and returns that day with the demo
// planners of each organisation.
func loadedOnFirstDay(t *testing.T, s *storage.Store) (context.Context, time.Time, map[string]models.Actor) {
	t.Helper()
	today := todays[0]
	s.SetClock(func() time.Time { return today })
	ctx := context.Background()
	if _, err := Load(ctx, s, today); err != nil {
		t.Fatal(err)
	}
	act, err := planners(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, today, act
}

// TestDemoWorkflows: after loading, each organisation's proposal queue
// and the cross-briefing requests show what a newcomer should find.
func TestDemoWorkflows(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, _, act := loadedOnFirstDay(t, s)
		for org, want := range map[string]int64{"NATO": 2, "EU": 1} {
			q, err := s.ListProposals(ctx, act[org], models.ProposalFilter{Awaiting: models.Ref(org)})
			if err != nil || q.Total != want {
				t.Fatalf("%s queue: %d (%v), want %d", org, q.Total, err, want)
			}
		}
		// The proposals' descriptions reach e-mails and feeds: they speak of
		// the meeting, not of the API.
		all, err := s.ListProposals(ctx, models.System(), models.ProposalFilter{})
		if err != nil || all.Total != int64(len(demoProposals)) {
			t.Fatalf("proposals: %v, %d of %d", err, all.Total, len(demoProposals))
		}
		for _, p := range all.Items {
			a, err := s.GetActivity(ctx, models.System(), p.Activity.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(a.Description, "/api/") || !strings.Contains(a.Description, "committed once") {
				t.Errorf("%s: description %q", a.Title, a.Description)
			}
		}
		agreed, err := s.ListProposals(ctx, models.System(), models.ProposalFilter{State: string(models.ProposalAgreed)})
		if err != nil || agreed.Total != 1 || agreed.Items[0].Activity.Status != string(models.StatusConfirmed) {
			t.Fatalf("agreed proposals: %v %+v", err, agreed)
		}
		counts, err := s.CountBriefingRequests(ctx, models.System(), "area")
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]int{}
		for _, c := range counts {
			for st, n := range c.ByState {
				states[st] += n
			}
		}
		if states["requested"] != 1 || states["scheduled"] != 1 || states["declined"] != 1 {
			t.Fatalf("briefing request states %v", states)
		}
	})
}

// TestDemoAgendaHasSomethingToChase: on the day of loading, a NATO
// planner's deconfliction agenda for the page's default quarter holds the
// demo's declined occurrence, with its reason; loading again, even a
// week later, adds no second answer.
func TestDemoAgendaHasSomethingToChase(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, today, act := loadedOnFirstDay(t, s)
		page, err := s.ListConflictsPage(ctx, act["NATO"], models.ConflictFilter{From: today, To: today.AddDate(0, 3, 0), Rule: models.RuleRequiredDeclined}, models.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || !strings.Contains(page.Items[0].Activity.Title, "EADRCC") || page.Items[0].Resource.Name != "Ayse Demir" {
			t.Fatalf("the NATO planner's declined items: %+v", page.Items)
		}
		later := today.AddDate(0, 0, 7)
		s.SetClock(func() time.Time { return later })
		if _, err := Load(ctx, s, later); err != nil {
			t.Fatal(err)
		}
		id, err := s.ActivityIDBySourceUID(ctx, "demo:"+declineActivity)
		if err != nil {
			t.Fatal(err)
		}
		replies, err := s.ListReplies(ctx, models.System(), id, models.ListOptions{Limit: models.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		declined := 0
		for _, r := range replies.Items {
			for _, o := range r.Occurrences {
				if o.PartStat == string(models.RSVPDeclined) {
					declined++
					if o.Comment != declineComment {
						t.Errorf("the answer says %q", o.Comment)
					}
				}
			}
		}
		if declined != 1 {
			t.Fatalf("%d declined occurrences after loading twice, want 1", declined)
		}
	})
}
