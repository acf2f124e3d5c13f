package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// listener runs the iTIP listener on a loopback port for one test and
// counts its outcomes.
type listener struct {
	addr     string
	mu       sync.Mutex
	outcomes map[string]int
	// nudges counts the outbox nudges after recorded answers.
	nudges int
}

func startListener(t *testing.T, s *storage.Store) *listener {
	t.Helper()
	l := &listener{outcomes: map[string]int{}}
	nudge := func() {
		l.mu.Lock()
		l.nudges++
		l.mu.Unlock()
	}
	in := notify.NewInbound("127.0.0.1:0", InboundReplies(s, "jointcal.example.org", nudge), slog.New(slog.NewTextHandler(io.Discard, nil)), func(r string) {
		l.mu.Lock()
		l.outcomes[r]++
		l.mu.Unlock()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.addr = ln.Addr().String()
	go in.Serve(ln) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in.Shutdown(ctx) //nolint:errcheck
	})
	return l
}

// deliver sends a fixture over SMTP, with placeholders replaced; it
// returns the server's refusal, if any.
func (l *listener) deliver(t *testing.T, fixture string, vars ...string) error {
	t.Helper()
	raw, err := os.ReadFile("testdata/itip/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	msg := strings.NewReplacer(vars...).Replace(string(raw))
	return smtp.SendMail(l.addr, nil, "bounces@mail.example", []string{"replies@jointcal.example.org"}, []byte(msg))
}

// TestInboundITIPReplies: answers pressed in Outlook (one occurrence,
// Windows zone), Gmail and Apple Mail arrive over SMTP and are recorded
// with channel email; a reply from another address, from a
// non-participant, about an unknown event, about an old SEQUENCE or
// without a calendar is refused with 550 and changes nothing; a COUNTER
// becomes a comment.
func TestInboundITIPReplies(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		if _, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Dora", Email: "dora@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2030, 3, 7, 8, 0, 0, 0, time.UTC) // 09:00 in Brussels
		one := f.book(models.ActivityInput{Kind: "meeting", Title: "NAC–PSC informal meeting", Start: start, End: start.Add(2 * time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"}}})
		weekly := f.book(models.ActivityInput{Kind: "meeting", Title: "Weekly desk", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY;COUNT=4",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}}})
		if one != 1 || weekly != 2 {
			t.Fatalf("activities %d and %d; the fixtures name 1 and 2", one, weekly)
		}
		l := startListener(t, s)
		gmail := func(from, partstat, seq string) error {
			return l.deliver(t, "gmail-reply.eml", "{{FROM}}", from, "{{UID}}", "1@jointcal.example.org", "{{PARTSTAT}}", partstat, "{{SEQUENCE}}", seq)
		}
		if err := gmail("Ben <ben@nato.example>", "ACCEPTED", "0"); err != nil {
			t.Fatalf("Gmail's reply: %v", err)
		}
		if err := l.deliver(t, "apple-declined.eml", "{{UID}}", "1@jointcal.example.org"); err != nil {
			t.Fatalf("Apple Mail's reply: %v", err)
		}
		if err := l.deliver(t, "outlook-tentative-instance.eml"); err != nil {
			t.Fatalf("Outlook's reply: %v", err)
		}

		refused := []struct {
			name, reason string
			send         func() error
		}{
			{"another sender", "from_mismatch", func() error { return gmail("Eve <eve@elsewhere.example>", "DECLINED", "0") }},
			{"a non-participant", "not_participant", func() error {
				return l.deliver(t, "gmail-reply.eml", "{{FROM}}", "dora@eeas.example", "{{UID}}", "1@jointcal.example.org", "{{PARTSTAT}}", "DECLINED", "{{SEQUENCE}}", "0",
					"mailto:ben@nato.example", "mailto:dora@eeas.example")
			}},
			{"an unknown event", "unknown_uid", func() error {
				return l.deliver(t, "apple-declined.eml", "{{UID}}", "abc123@google.com")
			}},
			{"no calendar", "no_calendar", func() error {
				return smtp.SendMail(l.addr, nil, "ben@nato.example", []string{"replies@jointcal.example.org"}, []byte("From: ben@nato.example\r\nSubject: hello\r\n\r\nCan we talk?\r\n"))
			}},
		}
		for _, r := range refused {
			err := r.send()
			if err == nil || !strings.HasPrefix(err.Error(), "550") {
				t.Errorf("%s: %v, want a 550 refusal", r.name, err)
			}
		}
		// A change of time: answers to the old SEQUENCE are stale.
		cur, err := s.GetActivity(ctx, models.System(), one)
		if err != nil {
			t.Fatal(err)
		}
		in := cur.Input()
		in.Start, in.End = in.Start.Add(time.Hour), in.End.Add(time.Hour)
		if _, err := s.UpdateActivity(ctx, models.System(), one, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := gmail("ben@nato.example", "DECLINED", "0"); err == nil || !strings.HasPrefix(err.Error(), "550") {
			t.Errorf("an answer to SEQUENCE 0: %v, want 550", err)
		}
		if err := gmail("ben@nato.example", "TENTATIVE", "1"); err != nil {
			t.Errorf("an answer to SEQUENCE 1: %v", err)
		}

		// Chloé proposes another time: her answer stays, the proposal is
		// the comment.
		if err := l.deliver(t, "apple-declined.eml", "{{UID}}", "1@jointcal.example.org", "METHOD:REPLY", "METHOD:COUNTER", "SEQUENCE:0", "SEQUENCE:1",
			"20300307T090000", "20300308T140000", "20300307T110000", "20300308T160000"); err != nil {
			t.Errorf("Apple Mail's counter-proposal: %v", err)
		}

		l.mu.Lock()
		got, nudges := fmt.Sprint(l.outcomes), l.nudges
		l.mu.Unlock()
		if want := "map[from_mismatch:1 no_calendar:1 not_participant:1 recorded:5 stale_sequence:1 unknown_uid:1]"; got != want {
			t.Errorf("outcomes %s, want %s", got, want)
		}
		// Each recorded answer asks for the outbox at once (a decline's
		// notices to the lead), no refused one does.
		if nudges != 5 {
			t.Errorf("outbox nudged %d times, want once per recorded answer (5)", nudges)
		}
		table := func(id int64) map[string]models.Reply {
			t.Helper()
			list, err := s.ListReplies(ctx, models.System(), id, models.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]models.Reply{}
			for _, r := range list.Items {
				out[r.Person.Email] = r
			}
			return out
		}
		first := table(one)
		if r := first["ben@nato.example"]; r.PartStat != "tentative" || r.Channel == nil || *r.Channel != "email" {
			t.Errorf("Ben: %+v", r)
		}
		if r := first["chloe@eeas.example"]; r.PartStat != "declined" || r.Comment != "Proposes 2030-03-08T13:00:00Z – 2030-03-08T15:00:00Z. On mission in Vilnius" {
			t.Errorf("Chloé: %+v", r)
		}
		if r := first["ana@eeas.example"]; r.PartStat != "needs_action" {
			t.Errorf("Ana on the first: %+v", r)
		}
		ana := table(weekly)["ana@eeas.example"]
		if ana.PartStat != "needs_action" || len(ana.Occurrences) != 1 || ana.Occurrences[0].PartStat != "tentative" ||
			!ana.Occurrences[0].Occurrence.Equal(start.Add(7*24*time.Hour)) || ana.Occurrences[0].Comment != "Might be late." {
			t.Errorf("Ana on the weekly desk: %+v", ana)
		}
	})
}
