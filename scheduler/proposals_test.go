package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestProposalNoticesReachTheOtherSide: a proposal is mailed to the other
// organisation, and its expiry (the scheduler's job) to the lead, over
// loopback SMTP — once each, however often the job runs.
func TestProposalNoticesReachTheOtherSide(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		eu, err := s.GetOrganization(ctx, "EU")
		if err != nil {
			t.Fatal(err)
		}
		planner := models.Actor{Name: "EU planner", Role: models.RolePlanner, OrganizationID: eu.ID}
		res, err := s.CreateActivity(ctx, planner, models.ActivityInput{Kind: "meeting", Title: "PSC meets Ben", TimeZone: "Europe/Brussels",
			Start: f.clock.Now().AddDate(0, 1, 0), End: f.clock.Now().AddDate(0, 1, 0).Add(2 * time.Hour), LeadOrganization: "EU",
			Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"}}}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Activity.Status != "proposed" {
			t.Fatalf("status %s", res.Activity.Status)
		}
		f.tick()
		msgs := contents(t, f.smtp.WaitFor(1, 5*time.Second))
		if len(msgs) != 1 || !strings.Contains(msgs[0], "EU proposes \"PSC meets Ben\"") || !strings.Contains(msgs[0], "Awaiting: NATO") {
			t.Fatalf("to NATO: %q", msgs)
		}
		if to := f.smtp.Messages()[0].To; to != "coop@nato.example" {
			t.Fatalf("proposal mailed to %s", to)
		}
		f.clock.Add(models.DefaultProposalTTL)
		for range 2 {
			if n, err := s.ExpireProposals(ctx); err != nil {
				t.Fatal(err)
			} else if n > 1 {
				t.Fatalf("expired %d", n)
			}
			if err := f.disp.Drain(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := f.smtp.WaitFor(2, 5*time.Second)
		if len(got) != 2 || got[1].To != "coop@eeas.example" || !strings.Contains(decoded(t, string(got[1].Data)), "Unanswered, expired") {
			t.Fatalf("expiry notices: %d, last to %s", len(got), got[len(got)-1].To)
		}
		// No reminder was ever planned for the proposal, and nobody was
		// sent a cancellation of what they were never invited to.
		for _, m := range got {
			if strings.Contains(decoded(t, string(m.Data)), "Cancelled") {
				t.Fatalf("a cancellation was sent: %s", decoded(t, string(m.Data)))
			}
		}
	})
}
