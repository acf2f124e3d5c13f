package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/notify/notifytest"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// clock is a settable time for the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t     *testing.T
	store *storage.Store
	smtp  *notifytest.Server
	clock *clock
	disp  *Dispatcher
}

func newFixture(t *testing.T, s *storage.Store) *fixture {
	t.Helper()
	f := &fixture{t: t, store: s, smtp: notifytest.Start(t), clock: &clock{now: time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC)}}
	s.SetClock(f.clock.Now)
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Host: f.smtp.Host, Port: f.smtp.Port, TLS: notify.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.disp = &Dispatcher{Store: s, Sender: sender, From: "jointcal <noreply@jointcal.example.org>", Host: "jointcal.example.org", BaseURL: "https://jointcal.example.org", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	sys := models.System()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union", ContactEmail: "coop@eeas.example"}))
	must(s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "NATO", Name: "NATO", ContactEmail: "coop@nato.example"}))
	must(s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ana", Email: "ana@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}))
	must(s.CreatePerson(ctx, sys, models.PersonInput{Name: "Chloé", Email: "chloe@eeas.example", TimeZone: "Europe/Lisbon", Organization: "EU"}))
	must(s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ben", Email: "ben@nato.example", TimeZone: "America/New_York", Organization: "NATO"}))
	must(s.CreateBody(ctx, sys, models.BodyInput{Code: "PSC", Name: "Political and Security Committee", Organization: "EU", Members: []models.Ref{"ana@eeas.example", "chloe@eeas.example"}}))
	return f
}

// book creates an activity. These tests are about reminders, updates and
// cancellations, so the invitations the booking queues are set aside
// (dropped) at once; invitations_test.go is about those.
func (f *fixture) book(in models.ActivityInput) int64 {
	f.t.Helper()
	ctx := context.Background()
	res, err := f.store.CreateActivity(ctx, models.System(), in, storage.WriteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	page, err := f.store.ListReminders(ctx, models.System(), models.ReminderFilter{Activity: res.Activity.ID, ListOptions: models.ListOptions{Limit: 500}})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range page.Items {
		if r.Kind == models.NoticeInvitation {
			if err := f.store.CloseReminder(ctx, r.ID, models.OutboxDropped, "not under test"); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return res.Activity.ID
}

func (f *fixture) tick() {
	f.t.Helper()
	if err := f.disp.Tick(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// inbox groups what the server received by recipient.
func inbox(msgs []notifytest.Message) map[string][]string {
	out := map[string][]string{}
	for _, m := range msgs {
		out[m.To] = append(out[m.To], string(m.Data))
	}
	return out
}

// contents decodes received messages (see decoded).
func contents(t *testing.T, msgs []notifytest.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = decoded(t, string(m.Data))
	}
	return out
}

func TestReminderLifecycle(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		start := f.clock.Now().Add(90 * time.Minute)
		id := f.book(models.ActivityInput{Kind: "meeting", Title: "NAC–PSC informal meeting", Start: start, End: start.Add(2 * time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Reminders: []string{"PT1H"},
			Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"}, {Type: "organization", IDOrCode: "EU"}}})
		// An EU-only meeting that Ben is invited to: he may not see it, so
		// he is not mailed about it.
		f.book(models.ActivityInput{Kind: "meeting", Title: "EU-only preparation", Start: start.Add(-10 * time.Minute), End: start.Add(-5 * time.Minute), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Reminders: []string{"PT1H"}, Visibility: []models.Ref{"EU"},
			Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example"}, {Type: "person", IDOrCode: "ana@eeas.example"}}})

		f.tick()
		if n := len(f.smtp.Messages()); n != 0 {
			t.Fatalf("%d messages before anything was due", n)
		}
		f.clock.Add(31 * time.Minute) // both one-hour reminders are due
		f.tick()
		box := inbox(f.smtp.Messages())
		want := map[string]int{"ana@eeas.example": 2, "chloe@eeas.example": 1, "ben@nato.example": 1, "coop@eeas.example": 1}
		for who, n := range want {
			if len(box[who]) != n {
				t.Fatalf("%s got %d messages, want %d (inbox %v)", who, len(box[who]), n, keys(box))
			}
		}
		// Ben may not see the EU-only meeting: his one message is the other.
		msg := decoded(t, box["ben@nato.example"][0])
		for _, want := range []string{"METHOD:REQUEST", fmt.Sprintf("UID:%d@jointcal.example.org", id), "SEQUENCE:0", "Decoded-Subject: Reminder: NAC–PSC informal meeting", "Message-Id: <"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("reminder lacks %q:\n%s", want, msg)
			}
		}
		// Ben's times are New York's: 4 March is before the US change, so
		// 09:30 UTC is 04:30 EST.
		if !strings.Contains(msg, "04:30") {
			t.Fatalf("Ben's reminder is not in his zone:\n%s", msg)
		}
		f.tick()
		if n := len(f.smtp.Messages()); n != 5 {
			t.Fatalf("a second tick sent again: %d messages", n)
		}

		// Moving the meeting sends one update (higher SEQUENCE) to each.
		ctx := context.Background()
		cur, err := s.GetActivity(ctx, models.System(), id)
		if err != nil {
			t.Fatal(err)
		}
		in := cur.Input()
		in.Start, in.End = in.Start.Add(24*time.Hour), in.End.Add(24*time.Hour)
		if _, err := s.UpdateActivity(ctx, models.System(), id, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		f.tick()
		updates := 0
		for _, m := range contents(t, f.smtp.Messages()[5:]) {
			if strings.Contains(m, "SEQUENCE:1") && strings.Contains(m, "METHOD:REQUEST") && strings.Contains(m, "Decoded-Subject: Updated") {
				updates++
			}
		}
		if updates != 4 {
			t.Fatalf("%d update notices, want 4", updates)
		}
		// Its reminder moved with it: due again a day later.
		before := len(f.smtp.Messages())
		f.clock.Add(24 * time.Hour)
		f.tick()
		if n := len(f.smtp.Messages()) - before; n != 4 {
			t.Fatalf("moved reminder: %d messages, want 4", n)
		}
		// Cancelling sends one cancellation each, and nothing more.
		cur, _ = s.GetActivity(ctx, models.System(), id)
		in = cur.Input()
		in.Status = "cancelled"
		if _, err := s.UpdateActivity(ctx, models.System(), id, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		before = len(f.smtp.Messages())
		f.tick()
		f.tick()
		cancels := f.smtp.Messages()[before:]
		if len(cancels) != 4 || !strings.Contains(decoded(t, string(cancels[0].Data)), "METHOD:CANCEL") {
			t.Fatalf("cancellation: %d messages", len(cancels))
		}
		page, err := s.ListReminders(ctx, models.System(), models.ReminderFilter{Status: models.OutboxSent, ListOptions: models.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if int(page.Total) != len(f.smtp.Messages()) {
			t.Fatalf("outbox says %d sent, server got %d", page.Total, len(f.smtp.Messages()))
		}
	})
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSMTPDownThenUpAndRejection: messages wait while the server is down,
// arrive once when it is back; a permanently rejected recipient fails
// without holding up the others.
func TestSMTPDownThenUpAndRejection(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storagetest.Open(t))
	start := f.clock.Now().Add(3 * time.Hour)
	f.book(models.ActivityInput{Kind: "meeting", Title: "Cross-briefing", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Reminders: []string{"PT2H"}, Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"}}})
	f.smtp.SetUnavailable(true)
	f.clock.Add(61 * time.Minute)
	f.tick()
	ctx := context.Background()
	pending, _ := f.store.ListReminders(ctx, models.System(), models.ReminderFilter{Status: models.OutboxPending})
	if pending.Total != 3 || pending.Items[0].Attempts != 1 || pending.Items[0].LastError == "" {
		t.Fatalf("after a failed attempt: %+v", pending.Items)
	}
	f.smtp.Reject("ben@nato.example")
	f.smtp.SetUnavailable(false)
	f.tick() // backoff not yet over: nothing is sent
	if n := len(f.smtp.Messages()); n != 0 {
		t.Fatalf("sent before the backoff: %d", n)
	}
	f.clock.Add(2 * time.Minute)
	f.tick()
	box := inbox(f.smtp.Messages())
	if len(box["ana@eeas.example"]) != 1 || len(box["chloe@eeas.example"]) != 1 || len(box["ben@nato.example"]) != 0 {
		t.Fatalf("after recovery: %v", keys(box))
	}
	failed, _ := f.store.ListReminders(ctx, models.System(), models.ReminderFilter{Status: models.OutboxFailed})
	if failed.Total != 1 || failed.Items[0].RecipientEmail != "ben@nato.example" || !strings.Contains(failed.Items[0].LastError, "550") {
		t.Fatalf("rejected recipient: %+v", failed.Items)
	}
	// An administrator re-queues it once the mailbox exists.
	if _, err := f.store.RetryReminder(ctx, models.System(), failed.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	f.tick()               // still rejected: failed again, at once (permanent)
	f.clock.Add(time.Hour) // past the occurrence start: never sent after the start
	f.tick()
	if got := inbox(f.smtp.Messages()); len(got["ana@eeas.example"]) != 1 {
		t.Fatal("a message arrived twice")
	}
}

// TestTwoDispatchersShareTheOutbox: two dispatchers (two instances) on one
// database send each reminder exactly once.
func TestTwoDispatchersShareTheOutbox(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		start := f.clock.Now().Add(2 * time.Hour)
		const n = 60
		for i := 0; i < n; i++ {
			f.book(models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Meeting %d", i), Start: start.Add(time.Duration(i) * time.Minute), End: start.Add(time.Duration(i)*time.Minute + time.Minute),
				TimeZone: "Europe/Brussels", LeadOrganization: "EU", Reminders: []string{"PT2H"},
				Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example", Required: new(bool)}}})
		}
		f.clock.Add(time.Hour)
		other := &Dispatcher{Store: f.disp.Store, Sender: f.disp.Sender, From: f.disp.From, Host: f.disp.Host, BaseURL: f.disp.BaseURL, Log: f.disp.Log}
		var wg sync.WaitGroup
		for _, d := range []*Dispatcher{f.disp, other} {
			wg.Add(1)
			go func(d *Dispatcher) {
				defer wg.Done()
				d.Batch = 5
				if err := d.Tick(context.Background()); err != nil {
					t.Error(err)
				}
			}(d)
		}
		wg.Wait()
		seen := map[string]int{}
		for _, m := range f.smtp.Messages() {
			id := messageID(decoded(t, string(m.Data)))
			seen[id]++
			if seen[id] > 1 {
				t.Fatalf("message %s sent twice", id)
			}
		}
		if len(seen) != n {
			t.Fatalf("%d distinct messages, want %d", len(seen), n)
		}
	})
}

func messageID(raw string) string {
	i := strings.Index(raw, "Message-Id: <")
	if i < 0 {
		return ""
	}
	rest := raw[i+len("Message-Id: <"):]
	return rest[:strings.IndexByte(rest, '>')]
}

// TestDowntimeCatchUp: after a restart, a reminder whose time passed
// while the service was down is still sent if its occurrence has not
// started (saying how soon it starts), and never once it has.
func TestDowntimeCatchUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storagetest.Open(t))
	now := f.clock.Now()
	f.book(models.ActivityInput{Kind: "meeting", Title: "Still ahead", Start: now.Add(5 * time.Hour), End: now.Add(6 * time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Reminders: []string{"PT4H"}, Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}}})
	f.book(models.ActivityInput{Kind: "meeting", Title: "Already over", Start: now.Add(2 * time.Hour), End: now.Add(3 * time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Reminders: []string{"PT1H30M"}, Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "chloe@eeas.example"}}})
	f.tick() // the service runs once, then is down for three hours
	f.clock.Add(3 * time.Hour)
	restarted := &Dispatcher{Store: f.disp.Store, Sender: f.disp.Sender, From: f.disp.From, Host: f.disp.Host, BaseURL: f.disp.BaseURL, Log: f.disp.Log}
	if err := restarted.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	box := inbox(f.smtp.Messages())
	if len(box["ana@eeas.example"]) != 1 || len(box["chloe@eeas.example"]) != 0 {
		t.Fatalf("after downtime: %v", keys(box))
	}
	if msg := decoded(t, box["ana@eeas.example"][0]); !strings.Contains(msg, "starts in 2 hours") {
		t.Fatalf("late reminder does not say how soon:\n%s", msg)
	}
}
