package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkIMAPPoll: one poll of a mailbox holding the Gmail-shaped iTIP
// replies of the 1,000 members of a committee (in-memory IMAP server on
// loopback, SQLite file): fetched in batches, recorded by the same
// handler as the SMTP listener's, each marked \Seen after its commit.
// Filing the messages is not timed; each iteration's answers differ from
// the previous ones, so each is a real change.
func BenchmarkIMAPPoll(b *testing.B) {
	const members = 1000
	s := storagetest.Open(b)
	ctx, sys := context.Background(), models.System()
	if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		b.Fatal(err)
	}
	refs := make([]models.Ref, members)
	for i := range refs {
		email := fmt.Sprintf("member%d@eeas.example", i)
		if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: fmt.Sprintf("Member %d", i), Email: email, TimeZone: "Europe/Brussels", Organization: "EU",
			ReminderPreferences: models.ReminderPreferences{NoInvitations: true}}); err != nil {
			b.Fatal(err)
		}
		refs[i] = models.Ref(email)
	}
	if _, err := s.CreateBody(ctx, sys, models.BodyInput{Code: "BIG", Name: "Committee", Organization: "EU", Members: refs}); err != nil {
		b.Fatal(err)
	}
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	res, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: "Plenary", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "BIG"}}}, storage.WriteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	mb := startMailbox(b)
	cfg := config.InboundIMAP{Addr: mb.addr, Username: imapUser, Password: imapPassword, Mailbox: "INBOX", TLS: config.IMAPTLSNone, Interval: time.Minute}
	poller := notify.NewIMAPPoller(cfg, InboundReplies(s, "jointcal.example.org", nil), slog.New(slog.NewTextHandler(io.Discard, nil)), nil, nil)
	uid := fmt.Sprintf("%d@jointcal.example.org", res.Activity.ID)
	states := []string{"ACCEPTED", "DECLINED", "TENTATIVE"}
	var polled time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for m := 0; m < members; m++ {
			who := fmt.Sprintf("member%d@eeas.example", m)
			mb.put(b, replyFixture(b, "gmail-reply.eml", "{{FROM}}", who, "{{UID}}", uid, "{{PARTSTAT}}", states[i%3], "{{SEQUENCE}}", "0", "mailto:ben@nato.example", "mailto:"+who))
		}
		b.StartTimer()
		began := time.Now()
		got, err := poller.Poll(ctx)
		polled += time.Since(began)
		if err != nil || got != (notify.PollResult{Recorded: members}) {
			b.Fatalf("poll %d: %+v %v", i, got, err)
		}
	}
	b.ReportMetric(polled.Seconds()*1000/float64(b.N*members), "ms/reply")
}
