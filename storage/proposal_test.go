package storage_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// proposalWorld is world plus a third organisation (US) with a person,
// and a planner actor per organisation.
func proposalWorld(t *testing.T, s *storage.Store) map[string]models.Actor {
	t.Helper()
	world(t, s)
	ctx, sys := context.Background(), models.System()
	if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "US", Name: "United States", ContactEmail: "liaison@us.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Uma", Email: "uma@us.example", TimeZone: "America/New_York", Organization: "US"}); err != nil {
		t.Fatal(err)
	}
	actors := map[string]models.Actor{"admin": sys}
	for _, code := range []string{"EU", "NATO", "US"} {
		o, err := s.GetOrganization(ctx, models.Ref(code))
		if err != nil {
			t.Fatal(err)
		}
		actors[code] = models.Actor{Name: code + " planner", Role: models.RolePlanner, OrganizationID: o.ID}
	}
	return actors
}

// jointMeeting is an EU-led meeting with NATO's council and a US person.
func jointMeeting(t *testing.T, title, start, end string) models.ActivityInput {
	return models.ActivityInput{Kind: "meeting", Title: title, Start: mustTime(t, start), End: mustTime(t, end), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Participants: []models.ParticipantInput{
			{Type: "body", IDOrCode: "PSC"}, {Type: "body", IDOrCode: "NAC"}, {Type: "person", IDOrCode: "uma@us.example"}}}
}

func TestProposalLifecycle(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		res, err := s.CreateActivity(ctx, act["EU"], jointMeeting(t, "NAC–PSC informal", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00"), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Activity.ID
		if res.Activity.Status != "proposed" {
			t.Fatalf("status %q, want proposed", res.Activity.Status)
		}
		p, err := s.GetProposal(ctx, act["NATO"], id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Awaiting, []string{"NATO", "US"}) || p.State != "open" {
			t.Fatalf("proposal %+v", p)
		}

		// The lead cannot confirm alone.
		in := res.Activity.Input()
		in.Status = "confirmed"
		var pe *models.StateError
		if _, err := s.UpdateActivity(ctx, act["EU"], id, in, storage.WriteOptions{}); !errors.As(err, &pe) || pe.Kind != "proposal-pending" {
			t.Fatalf("lead confirming alone: %v", err)
		}

		// Another booking of the council at the same time is only warned.
		other := models.ActivityInput{Kind: "meeting", Title: "NAC weekly", Start: mustTime(t, "2031-03-10T11:00:00+01:00"), End: mustTime(t, "2031-03-10T13:00:00+01:00"),
			LeadOrganization: "NATO", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "NAC"}}}
		report, err := s.CheckActivity(ctx, act["NATO"], 0, other)
		if err != nil {
			t.Fatal(err)
		}
		if len(report.Conflicts) != 0 || len(report.Warnings) != 1 || report.Warnings[0].Rule != "proposal_hold" || report.Warnings[0].Other.Note != "proposed by EU, awaiting NATO and US" {
			t.Fatalf("report %+v", report)
		}

		// An outsider cannot answer; NATO agrees, US counters, and the
		// counter goes back to EU and NATO.
		if _, err := s.AgreeToProposal(ctx, models.Actor{Name: "viewer", Role: models.RoleViewer}, id); err == nil {
			t.Fatal("a viewer agreed")
		}
		if p, err = s.AgreeToProposal(ctx, act["NATO"], id); err != nil || !slices.Equal(p.Awaiting, []string{"US"}) {
			t.Fatalf("NATO agrees: %v %+v", err, p)
		}
		p, err = s.CounterPropose(ctx, act["US"], id, models.CounterProposal{Start: mustTime(t, "2031-03-11T10:00:00+01:00"), End: mustTime(t, "2031-03-11T12:00:00+01:00"), Reason: "Uma travels on the 10th"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Awaiting, []string{"EU", "NATO"}) || p.Round != 2 || !p.Activity.Start.Equal(mustTime(t, "2031-03-11T10:00:00+01:00")) || p.Activity.Status != "proposed" {
			t.Fatalf("after the counter: %+v", p)
		}
		other.Start, other.End = mustTime(t, "2031-03-11T11:00:00+01:00"), mustTime(t, "2031-03-11T13:00:00+01:00")
		if report, err = s.CheckActivity(ctx, act["NATO"], 0, other); err != nil || len(report.Warnings) != 1 || report.Warnings[0].Other.Note != "proposed by US, awaiting EU and NATO" {
			t.Fatalf("after the counter: %v %+v", err, report)
		}
		if _, err = s.AgreeToProposal(ctx, act["EU"], id); err != nil {
			t.Fatal(err)
		}
		if p, err = s.AgreeToProposal(ctx, act["NATO"], id); err != nil {
			t.Fatal(err)
		}
		if p.State != "agreed" || p.Activity.Status != "confirmed" || len(p.Awaiting) != 0 {
			t.Fatalf("all agreed: %+v", p)
		}
		if _, err := s.AgreeToProposal(ctx, act["NATO"], id); !errors.As(err, &pe) || pe.Kind != "proposal-closed" {
			t.Fatalf("answering a closed proposal: %v", err)
		}
		// Every step is audited and each told the other side.
		trail, err := s.ListAudit(ctx, models.System(), models.AuditFilter{Entity: "proposal", EntityID: id, Oldest: true})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range trail.Items {
			steps = append(steps, e.Action)
		}
		if !slices.Equal(steps, []string{"proposed", "agreed", "countered", "agreed", "confirmed"}) {
			t.Fatalf("audited steps %v", steps)
		}
		notices, err := s.ListReminders(ctx, models.System(), models.ReminderFilter{Activity: id, ListOptions: models.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, n := range notices.Items {
			kinds[n.Kind+" "+n.RecipientEmail]++
		}
		// proposed → NATO, US; agreed (NATO) → EU, US; countered (US) → EU,
		// NATO; agreed (EU) → NATO, US; confirmed (NATO) → EU, US. Once
		// confirmed, every participant is invited afresh.
		want := map[string]int{"proposal coop@nato.example": 3, "proposal liaison@us.example": 4, "proposal coop@eeas.example": 3,
			"invitation ana@eeas.example": 1, "invitation ben@nato.example": 1, "invitation uma@us.example": 1}
		if !maps.Equal(kinds, want) {
			t.Fatalf("notices %v, want %v", kinds, want)
		}
	})
}

func TestProposalDeclineAndExpiry(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		now := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		declined, err := s.CreateActivity(ctx, act["EU"], jointMeeting(t, "To decline", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00"), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeclineProposal(ctx, act["NATO"], declined.Activity.ID, " "); err == nil {
			t.Fatal("a decline without a reason")
		}
		p, err := s.DeclineProposal(ctx, act["NATO"], declined.Activity.ID, "the council sits in Washington that week")
		if err != nil {
			t.Fatal(err)
		}
		if p.State != "declined" || p.Activity.Status != "cancelled" || p.Reason == "" {
			t.Fatalf("declined: %+v", p)
		}
		stale, err := s.CreateActivity(ctx, act["EU"], jointMeeting(t, "Forgotten", "2031-04-10T10:00:00+02:00", "2031-04-10T12:00:00+02:00"), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.ExpireProposals(ctx); err != nil || n != 0 {
			t.Fatalf("expired early: %d %v", n, err)
		}
		mu.Lock()
		now = now.Add(models.DefaultProposalTTL + time.Minute)
		mu.Unlock()
		if n, err := s.ExpireProposals(ctx); err != nil || n != 1 {
			t.Fatalf("expired %d (%v), want 1", n, err)
		}
		p, err = s.GetProposal(ctx, act["EU"], stale.Activity.ID)
		if err != nil || p.State != "expired" || p.Activity.Status != "cancelled" {
			t.Fatalf("expired: %v %+v", err, p)
		}
		queue, err := s.ListProposals(ctx, act["NATO"], models.ProposalFilter{Awaiting: "NATO"})
		if err != nil || queue.Total != 0 {
			t.Fatalf("queue after expiry: %v %+v", err, queue)
		}
		// The lead (and only the lead) was told it expired.
		notices, err := s.ListReminders(ctx, models.System(), models.ReminderFilter{Activity: stale.Activity.ID, ListOptions: models.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		last := notices.Items[len(notices.Items)-1]
		if last.RecipientEmail != "coop@eeas.example" || last.Kind != "proposal" {
			t.Fatalf("last notice %+v", last)
		}
	})
}

// TestProposalRestrictedQueue: an activity restricted to EU never shows in
// NATO's queue, and NATO is told nothing about it.
func TestProposalRestrictedQueue(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		in := jointMeeting(t, "EU-only preparation", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00")
		in.Visibility = []models.Ref{"EU", "US"}
		res, err := s.CreateActivity(ctx, act["EU"], in, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for who, want := range map[string]int64{"NATO": 0, "US": 1} {
			q, err := s.ListProposals(ctx, act[who], models.ProposalFilter{Awaiting: models.Ref(who)})
			if err != nil || q.Total != want {
				t.Fatalf("%s queue: %v total %d, want %d", who, err, q.Total, want)
			}
		}
		if _, err := s.AgreeToProposal(ctx, act["NATO"], res.Activity.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("NATO answering what it may not see: %v", err)
		}
		notices, err := s.ListReminders(ctx, models.System(), models.ReminderFilter{Activity: res.Activity.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range notices.Items {
			if n.RecipientEmail == "coop@nato.example" {
				t.Fatalf("NATO was told of a restricted proposal: %+v", n)
			}
		}
	})
}

// TestProposalRaces: both sides agreeing at once, and expiry racing a
// counter-proposal, leave one consistent state on every backend.
func TestProposalRaces(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		base := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		now := base
		s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		for round := range 6 {
			start := time.Date(2031, 5, 5+round, 9, 0, 0, 0, time.UTC)
			res, err := s.CreateActivity(ctx, act["EU"], jointMeeting(t, "Race", start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339)), storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			id := res.Activity.ID
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []string{"NATO", "US"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = s.AgreeToProposal(ctx, act[who], id)
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("concurrent agreement: %v", errs)
			}
			p, err := s.GetProposal(ctx, act["EU"], id)
			if err != nil || p.State != "agreed" || p.Activity.Status != "confirmed" {
				t.Fatalf("after both agreed: %v %+v", err, p)
			}
			trail, err := s.ListAudit(ctx, models.System(), models.AuditFilter{Entity: "proposal", EntityID: id})
			if err != nil {
				t.Fatal(err)
			}
			confirmed := 0
			for _, e := range trail.Items {
				if e.Action == "confirmed" {
					confirmed++
				}
			}
			if confirmed != 1 {
				t.Fatalf("confirmed %d times", confirmed)
			}
		}

		// Expiry against a counter-proposal: whichever wins, the other
		// sees its result.
		for round := range 6 {
			mu.Lock()
			now = base
			mu.Unlock()
			start := time.Date(2031, 6, 2+round, 9, 0, 0, 0, time.UTC)
			res, err := s.CreateActivity(ctx, act["EU"], jointMeeting(t, "Expiry race", start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339)), storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			id := res.Activity.ID
			mu.Lock()
			now = base.Add(models.DefaultProposalTTL + time.Second)
			mu.Unlock()
			var wg sync.WaitGroup
			var counterErr, expireErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, counterErr = s.CounterPropose(ctx, act["NATO"], id, models.CounterProposal{Start: start.Add(24 * time.Hour), End: start.Add(25 * time.Hour)})
			}()
			go func() {
				defer wg.Done()
				_, expireErr = s.ExpireProposals(ctx)
			}()
			wg.Wait()
			if expireErr != nil {
				t.Fatal(expireErr)
			}
			p, err := s.GetProposal(ctx, act["EU"], id)
			if err != nil {
				t.Fatal(err)
			}
			var pe *models.StateError
			switch {
			case counterErr == nil && p.State == "open":
				// The counter won; it started the time to answer again.
				if p.Activity.Status != "proposed" || !p.Activity.Start.Equal(start.Add(24*time.Hour)) || !p.ExpiresAt.After(now) || p.Round != 2 {
					t.Fatalf("counter won but: %+v", p)
				}
			case errors.As(counterErr, &pe) && pe.Kind == "proposal-closed" && p.State == "expired":
				if p.Activity.Status != "cancelled" || !p.Activity.Start.Equal(start) {
					t.Fatalf("expiry won but: %+v", p)
				}
			default:
				t.Fatalf("inconsistent: counter %v, proposal %s, activity %s", counterErr, p.State, p.Activity.Status)
			}
		}
	})
}

// TestProposalEdges: the lead moving its proposal asks everyone again; a
// booking made over a proposal (only warned) stops its confirmation with
// the conflict; an administrator decides by setting the status; a lead
// inviting a newcomer to a confirmed activity proposes it to them.
func TestProposalEdges(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		res, err := s.CreateActivity(ctx, act["EU"], jointMeeting(t, "Moved", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00"), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Activity.ID
		if _, err := s.AgreeToProposal(ctx, act["NATO"], id); err != nil {
			t.Fatal(err)
		}
		in := res.Activity.Input()
		in.Start, in.End = mustTime(t, "2031-03-12T10:00:00+01:00"), mustTime(t, "2031-03-12T12:00:00+01:00")
		if _, err := s.UpdateActivity(ctx, act["EU"], id, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		p, err := s.GetProposal(ctx, act["EU"], id)
		if err != nil || !slices.Equal(p.Awaiting, []string{"NATO", "US"}) || p.Round != 2 {
			t.Fatalf("after the lead moved it: %v %+v", err, p)
		}

		// NATO books its council over it (a warning), then agrees: the
		// confirmation meets the hard conflict and nothing changes.
		clash := models.ActivityInput{Kind: "meeting", Title: "NAC", Start: in.Start, End: in.End, LeadOrganization: "NATO",
			Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "NAC"}}}
		booked, err := s.CreateActivity(ctx, act["NATO"], clash, storage.WriteOptions{})
		if err != nil || len(booked.Report.Warnings) == 0 {
			t.Fatalf("booking over a proposal: %v", err)
		}
		if _, err := s.AgreeToProposal(ctx, act["US"], id); err != nil {
			t.Fatal(err)
		}
		var ce *models.ConflictError
		if _, err := s.AgreeToProposal(ctx, act["NATO"], id); !errors.As(err, &ce) || ce.Conflicts[0].Rule != "body_double_booked" {
			t.Fatalf("confirming over a booking: %v", err)
		}
		if p, _ := s.GetProposal(ctx, act["EU"], id); p.State != "open" || !slices.Equal(p.Awaiting, []string{"NATO"}) {
			t.Fatalf("a refused confirmation changed the proposal: %+v", p)
		}
		if err := s.DeleteActivity(ctx, act["NATO"], booked.Activity.ID, 0); err != nil {
			t.Fatal(err)
		}
		// An administrator decides by confirming it.
		cur, err := s.GetActivity(ctx, models.System(), id)
		if err != nil {
			t.Fatal(err)
		}
		in = cur.Input()
		in.Status = "confirmed"
		if _, err := s.UpdateActivity(ctx, models.System(), id, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.GetProposal(ctx, act["EU"], id); p.State != "agreed" || p.Activity.Status != "confirmed" {
			t.Fatalf("after the administrator's decision: %+v", p)
		}
		// Inviting NATO's council to a confirmed EU activity proposes it to NATO.
		own, err := s.CreateActivity(ctx, act["EU"], models.ActivityInput{Kind: "meeting", Title: "PSC", Start: mustTime(t, "2031-04-01T10:00:00+02:00"),
			End: mustTime(t, "2031-04-01T11:00:00+02:00"), LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{})
		if err != nil || own.Activity.Status != "confirmed" {
			t.Fatalf("EU alone: %v", err)
		}
		in = own.Activity.Input()
		in.Participants = append(in.Participants, models.ParticipantInput{Type: "body", IDOrCode: "NAC"})
		upd, err := s.UpdateActivity(ctx, act["EU"], own.Activity.ID, in, storage.WriteOptions{})
		if err != nil || upd.Activity.Status != "proposed" {
			t.Fatalf("inviting NAC: %v %+v", err, upd)
		}
	})
}

// TestProposalTurnaround: the median days from proposal to agreement, over
// what the caller may see.
func TestProposalTurnaround(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		act := proposalWorld(t, s)
		now := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		for i, wait := range []int{1, 3, 8} {
			start := time.Date(2031, 5, 5+i, 9, 0, 0, 0, time.UTC)
			in := jointMeeting(t, "Turnaround", start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339))
			in.Participants = in.Participants[:2] // EU and NATO only
			if i == 2 {
				in.Visibility = []models.Ref{"EU", "NATO"}
			}
			res, err := s.CreateActivity(ctx, act["EU"], in, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			now = now.AddDate(0, 0, wait)
			mu.Unlock()
			if _, err := s.AgreeToProposal(ctx, act["NATO"], res.Activity.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.ProposalTurnaroundIn(ctx, models.System(), time.Time{}, time.Time{}); err != nil || got.Agreed != 3 || got.MedianDays != 3 {
			t.Fatalf("turnaround %+v %v", got, err)
		}
		if got, err := s.ProposalTurnaroundIn(ctx, act["US"], time.Time{}, time.Time{}); err != nil || got.Agreed != 2 || got.MedianDays != 2 {
			t.Fatalf("US sees %+v %v (the restricted one must not count)", got, err)
		}
	})
}
