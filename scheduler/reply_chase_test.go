package scheduler

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// twoProcesses opens a second store on the database of a fresh fixture
// (another instance of jointcal) and returns the fixture, a dispatcher of
// the second instance, and the lead planner Lena (French, Paris time),
// who plans for the EU.
func twoProcesses(t *testing.T, dsn string, chase time.Duration) (*fixture, *Dispatcher) {
	t.Helper()
	set := models.DefaultSettings()
	set.Reminders.Chase = chase
	s := storagetest.OpenWith(t, dsn, set)
	f := newFixture(t, s)
	other := storagetest.OpenWith(t, dsn, set)
	other.SetClock(f.clock.Now)
	ctx := context.Background()
	lena, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Lena", Email: "lena@eeas.example", TimeZone: "Europe/Paris", Organization: "EU"})
	if err != nil {
		t.Fatal(err)
	}
	fr := "fr"
	if _, err := s.UpdateMe(ctx, models.Actor{PersonID: lena.ID, Name: "lena"}, models.MeInput{Language: &fr}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GrantRole(ctx, models.System(), models.GrantInput{Person: "lena@eeas.example", Role: models.RolePlanner, Organization: "EU"}); err != nil {
		t.Fatal(err)
	}
	d := &Dispatcher{Store: other, Sender: f.disp.Sender, From: f.disp.From, Host: f.disp.Host, BaseURL: f.disp.BaseURL, Log: f.disp.Log}
	return f, d
}

// drainBoth runs the dispatchers of both instances at once, twice.
func drainBoth(t *testing.T, a, b *Dispatcher) {
	t.Helper()
	for range 2 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, d := range []*Dispatcher{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = d.Drain(context.Background()) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDeclineTellsTheLeadPlannersOnce: a required participant's decline
// reaches each planner of the lead organisation (and its contact address)
// at once, in their language and zone, over SMTP on loopback — exactly
// once, though two instances drain the outbox twice and the person
// changes their mind and declines again. An optional participant's
// decline, and an answer that is not a decline, tell nobody.
func TestDeclineTellsTheLeadPlannersOnce(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			f, other := twoProcesses(t, b.DSN(t), models.DefaultReplyChase)
			s, ctx := f.store, context.Background()
			optional := false
			start := f.clock.Now().Add(10 * 24 * time.Hour)
			id := f.book(models.ActivityInput{Kind: "meeting", Title: "NAC–PSC informal meeting", Start: start, End: start.Add(2 * time.Hour), TimeZone: "Europe/Brussels",
				LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example"},
					{Type: "person", IDOrCode: "ana@eeas.example", Required: &optional}}})
			ben, err := s.GetPerson(ctx, "ben@nato.example")
			if err != nil {
				t.Fatal(err)
			}
			ana, err := s.GetPerson(ctx, "ana@eeas.example")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReplyFor(ctx, ana.ID, id, models.ReplyInput{PartStat: "declined"}, models.ChannelLink); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReplyFor(ctx, ben.ID, id, models.ReplyInput{PartStat: "tentative"}, models.ChannelEmail); err != nil {
				t.Fatal(err)
			}
			drainBoth(t, f.disp, other)
			if got := f.smtp.Messages(); len(got) != 0 {
				t.Fatalf("an optional decline or a tentative answer mailed %d messages, first to %s", len(got), got[0].To)
			}
			for _, step := range []struct {
				partstat string
				ch       models.ReplyChannel
			}{{"declined", models.ChannelLink}, {"accepted", models.ChannelWeb}, {"declined", models.ChannelEmail}} {
				if _, err := s.ReplyFor(ctx, ben.ID, id, models.ReplyInput{PartStat: step.partstat, Comment: "Ministerial the same day"}, step.ch); err != nil {
					t.Fatal(err)
				}
				drainBoth(t, f.disp, other)
			}
			box := inbox(f.smtp.Messages())
			if len(box) != 2 || len(box["lena@eeas.example"]) != 1 || len(box["coop@eeas.example"]) != 1 {
				t.Fatalf("inbox %v, want one message each to lena@ and coop@eeas.example", keys(box))
			}
			lena := decoded(t, box["lena@eeas.example"][0])
			for _, want := range []string{"Decoded-Subject: Refusé : NAC–PSC informal meeting", "Ben, participant requis, a refusé « NAC–PSC informal meeting »",
				"Commentaire: Ministerial the same day", "14 mars 2030 09:00 – 11:00 CET", "https://jointcal.example.org/activities/"} {
				if !strings.Contains(lena, want) {
					t.Errorf("Lena's notice lacks %q:\n%s", want, lena)
				}
			}
			coop := decoded(t, box["coop@eeas.example"][0])
			if !strings.Contains(coop, "Decoded-Subject: Declined: NAC–PSC informal meeting") || !strings.Contains(coop, "Ben, a required participant, declined") {
				t.Errorf("the contact's notice:\n%s", coop)
			}
		})
	}
}

// TestChaseListsWhoHasNotAnswered: with a fixed clock, the chase job
// queues nothing for an occurrence further than JOINTCAL_REPLY_CHASE
// ahead; within it, each lead planner gets one message naming the
// required participants without an answer (not the optional one, not
// one who answered), once however often and wherever the job runs; an
// occurrence everyone answered is never chased; P0D turns the chase off.
func TestChaseListsWhoHasNotAnswered(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			f, other := twoProcesses(t, b.DSN(t), models.DefaultReplyChase)
			s, ctx := f.store, context.Background()
			optional := false
			start := f.clock.Now().Add(5 * 24 * time.Hour)
			id := f.book(models.ActivityInput{Kind: "meeting", Title: "Staff talks", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
				LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example"},
					{Type: "person", IDOrCode: "ana@eeas.example"}, {Type: "person", IDOrCode: "chloe@eeas.example", Required: &optional}}})
			answered := f.book(models.ActivityInput{Kind: "meeting", Title: "Answered by all", Start: start.Add(2 * time.Hour), End: start.Add(3 * time.Hour), TimeZone: "Europe/Brussels",
				LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}}})
			ana, err := s.GetPerson(ctx, "ana@eeas.example")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReplyFor(ctx, ana.ID, answered, models.ReplyInput{PartStat: "accepted"}, models.ChannelLink); err != nil {
				t.Fatal(err)
			}
			if n, err := s.PlanReplyChases(ctx); err != nil || n != 0 {
				t.Fatalf("five days ahead: %d chases queued, %v", n, err)
			}
			f.clock.Add(2*24*time.Hour + 12*time.Hour) // 2½ days before the start
			if _, err := s.ReplyFor(ctx, ana.ID, id, models.ReplyInput{PartStat: "accepted"}, models.ChannelWeb); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				var wg sync.WaitGroup
				for _, st := range []*storage.Store{s, other.Store} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := st.PlanReplyChases(ctx); err != nil {
							t.Error(err)
						}
					}()
				}
				wg.Wait()
				drainBoth(t, f.disp, other)
			}
			box := inbox(f.smtp.Messages())
			if len(box) != 2 || len(box["lena@eeas.example"]) != 1 || len(box["coop@eeas.example"]) != 1 {
				t.Fatalf("inbox %v, want one chase each to lena@ and coop@eeas.example", keys(box))
			}
			coop := decoded(t, box["coop@eeas.example"][0])
			if !strings.Contains(coop, "Decoded-Subject: No answer yet: Staff talks") ||
				!strings.Contains(coop, "These required participants have not answered “Staff talks”, which starts soon: Ben.") {
				t.Errorf("the chase:\n%s", coop)
			}
			if lena := decoded(t, box["lena@eeas.example"][0]); !strings.Contains(lena, "Pas encore de réponse : Staff talks") {
				t.Errorf("Lena's chase is not in French:\n%s", lena)
			}
			page, err := s.ListReminders(ctx, models.System(), models.ReminderFilter{Activity: answered, ListOptions: models.ListOptions{Limit: 50}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Items {
				if r.Kind == models.NoticeChase {
					t.Errorf("an activity everyone answered was chased: %s", r.Key)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		f, _ := twoProcesses(t, storagetest.Backends()[0].DSN(t), 0)
		start := f.clock.Now().Add(time.Hour)
		f.book(models.ActivityInput{Kind: "meeting", Title: "Soon", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example"}}})
		if n, err := f.store.PlanReplyChases(context.Background()); err != nil || n != 0 {
			t.Fatalf("with P0D: %d chases queued, %v", n, err)
		}
	})
}

// TestReplyNoticeDroppedWhenItNoLongerApplies: a decline notice that has
// not left when the activity is deleted, or when the person takes the
// decline back, is dropped, never sent.
func TestReplyNoticeDroppedWhenItNoLongerApplies(t *testing.T) {
	t.Parallel()
	f, _ := twoProcesses(t, storagetest.Backends()[0].DSN(t), models.DefaultReplyChase)
	s, ctx := f.store, context.Background()
	start := f.clock.Now().Add(10 * 24 * time.Hour)
	ben, err := s.GetPerson(ctx, "ben@nato.example")
	if err != nil {
		t.Fatal(err)
	}
	for i, takeBack := range []bool{false, true} {
		at := start.Add(time.Duration(i) * 3 * time.Hour)
		id := f.book(models.ActivityInput{Kind: "meeting", Title: "Soon gone", Start: at, End: at.Add(time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example"}}})
		if _, err := s.ReplyFor(ctx, ben.ID, id, models.ReplyInput{PartStat: "declined"}, models.ChannelLink); err != nil {
			t.Fatal(err)
		}
		if takeBack {
			if _, err := s.ReplyFor(ctx, ben.ID, id, models.ReplyInput{PartStat: "accepted"}, models.ChannelLink); err != nil {
				t.Fatal(err)
			}
		} else if err := s.DeleteActivity(ctx, models.System(), id, 0); err != nil {
			t.Fatal(err)
		}
		if err := f.disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListReminders(ctx, models.System(), models.ReminderFilter{Activity: id, ListOptions: models.ListOptions{Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		declines := 0
		for _, r := range page.Items {
			if r.Kind == models.NoticeDeclined {
				declines++
				if r.Status != models.OutboxDropped {
					t.Errorf("take back %v: decline notice to %s is %s", takeBack, r.RecipientEmail, r.Status)
				}
			}
		}
		if declines != 2 {
			t.Errorf("take back %v: %d decline notices queued, want 2", takeBack, declines)
		}
	}
	for _, m := range f.smtp.Messages() {
		if strings.Contains(decoded(t, string(m.Data)), "required participant") {
			t.Errorf("a decline that no longer applies was sent to %s", m.To)
		}
	}
}
