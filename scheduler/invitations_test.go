package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestInvitationsAtBooking: a booking invites everyone it reaches at once
// (a person, a body's members, an organisation's contact), in their
// language, with jointcal's reply address as ORGANIZER and answer links;
// nobody twice, whatever the ticks and restarts; a person who turned
// invitations off gets none; an added person is invited, a removed one
// gets a cancellation of their own, the others an update.
func TestInvitationsAtBooking(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.disp.ReplyAddress = "jointcal <replies@jointcal.example.org>"
		key, err := s.ServerKey(ctx, models.ReplyLinkKey)
		if err != nil {
			t.Fatal(err)
		}
		f.disp.ReplyLinks = ReplyLinker("https://jointcal.example.org", key)
		chloe, err := s.GetPerson(ctx, "chloe@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		fr := "fr"
		if _, err := s.UpdateMe(ctx, models.Actor{PersonID: chloe.ID, Name: "chloe"}, models.MeInput{Language: &fr}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Dora", Email: "dora@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU",
			ReminderPreferences: models.ReminderPreferences{NoInvitations: true}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Eve", Email: "eve@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
		start := f.clock.Now().Add(72 * time.Hour)
		in := models.ActivityInput{Kind: "meeting", Title: "NAC–PSC informal meeting", Start: start, End: start.Add(2 * time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Reminders: []string{"PT1H"},
			Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"},
				{Type: "person", IDOrCode: "dora@eeas.example"}, {Type: "organization", IDOrCode: "EU"}}}
		res, err := s.CreateActivity(ctx, models.System(), in, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Activity.ID
		f.tick()
		f.tick()
		restarted := &Dispatcher{Store: s, Sender: f.disp.Sender, From: f.disp.From, Host: f.disp.Host, BaseURL: f.disp.BaseURL, Log: f.disp.Log}
		if err := restarted.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		box := inbox(f.smtp.Messages())
		for who, n := range map[string]int{"ana@eeas.example": 1, "chloe@eeas.example": 1, "ben@nato.example": 1, "coop@eeas.example": 1, "dora@eeas.example": 0} {
			if len(box[who]) != n {
				t.Fatalf("%s got %d messages, want %d (inbox %v)", who, len(box[who]), n, keys(box))
			}
		}
		ben := decoded(t, box["ben@nato.example"][0])
		for _, want := range []string{"Decoded-Subject: Invitation: NAC–PSC informal meeting", "METHOD:REQUEST", "ORGANIZER;CN=jointcal:mailto:replies@jointcal.example.org",
			"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ben@nato.example", "Accept: https://jointcal.example.org/reply/r1.3.", "Decline: https://jointcal.example.org/reply/r1.3.", "You are invited to"} {
			if !strings.Contains(unfoldLines(ben), want) {
				t.Errorf("Ben's invitation lacks %q:\n%s", want, ben)
			}
		}
		// The links verify, for Ben and this activity, until it ends.
		tok := ben[strings.Index(ben, "Accept: https://jointcal.example.org/reply/")+len("Accept: https://jointcal.example.org/reply/"):]
		tok = tok[:strings.IndexAny(tok, " \r\n")]
		claim, err := auth.VerifyReplyLink(key, tok, f.clock.Now())
		if err != nil || claim.Person != 3 || claim.Activity != id || claim.PartStat != "accepted" || !claim.Until.Equal(start.Add(2*time.Hour)) {
			t.Errorf("link %q: %+v, %v", tok, claim, err)
		}
		if c := decoded(t, box["chloe@eeas.example"][0]); !strings.Contains(c, "Decoded-Subject: Invitation : NAC–PSC informal meeting") || !strings.Contains(c, "Vous êtes invité") {
			t.Errorf("Chloé's invitation is not in French:\n%s", c)
		}
		if c := decoded(t, box["coop@eeas.example"][0]); strings.Contains(c, "/reply/") {
			t.Errorf("an organisation's contact address, nobody's own, got answer links:\n%s", c)
		}

		// Eve added, Ben removed, the time moved: Eve is invited, Ben's
		// event is cancelled, the others are updated.
		cur, err := s.GetActivity(ctx, models.System(), id)
		if err != nil {
			t.Fatal(err)
		}
		next := cur.Input()
		next.Start, next.End = start.Add(time.Hour), start.Add(3*time.Hour)
		next.Participants = []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "eve@eeas.example"},
			{Type: "person", IDOrCode: "dora@eeas.example"}, {Type: "organization", IDOrCode: "EU"}}
		if _, err := s.UpdateActivity(ctx, models.System(), id, next, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		before := len(f.smtp.Messages())
		f.tick()
		f.tick()
		msgs := f.smtp.Messages()[before:]
		got := map[string]string{}
		for i, m := range msgs {
			d := decoded(t, string(m.Data))
			subject := d[strings.Index(d, "Decoded-Subject: ")+len("Decoded-Subject: "):]
			got[m.To] = subject[:strings.IndexByte(subject, ':')]
			if m.To == "ben@nato.example" && (!strings.Contains(d, "METHOD:CANCEL") || !strings.Contains(d, "SEQUENCE:1")) {
				t.Errorf("Ben's removal #%d:\n%s", i, d)
			}
		}
		want := map[string]string{"eve@eeas.example": "Invitation", "ben@nato.example": "Cancelled", "ana@eeas.example": "Updated",
			"chloe@eeas.example": "Modifié ", "coop@eeas.example": "Updated", "dora@eeas.example": "Updated"}
		if len(msgs) != len(want) {
			t.Errorf("%d messages after the change, want %d: %v", len(msgs), len(want), got)
		}
		for who, kind := range want {
			if got[who] != kind {
				t.Errorf("%s got %q, want %q (all: %v)", who, got[who], kind, got)
			}
		}
	})
}

// unfoldLines joins folded iCalendar lines.
func unfoldLines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n ", ""), "\n ", "")
}

// TestNudgeSendsInvitationsAtOnce: a nudge after a booking sends its
// invitations without waiting for a tick; many nudges make one drain at a
// time and send nothing twice.
func TestNudgeSendsInvitationsAtOnce(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := StartNudger(ctx, f.disp, 50*time.Millisecond)
		start := f.clock.Now().Add(72 * time.Hour)
		if _, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Staff talks", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			n.Nudge()
		}
		got := f.smtp.WaitFor(2, 10*time.Second)
		time.Sleep(300 * time.Millisecond) // a second drain would send now
		if got = f.smtp.Messages(); len(got) != 2 {
			t.Fatalf("%d messages, want the 2 invitations of Ana and Chloé once each", len(got))
		}
	})
}
