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
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkInboundReplies: Gmail-shaped iTIP replies of the members of a
// committee of 1,000, each delivered over its own SMTP connection on
// loopback and acknowledged only after it is committed (SQLite file).
func BenchmarkInboundReplies(b *testing.B) {
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
	in := notify.NewInbound("127.0.0.1:0", InboundReplies(s, "jointcal.example.org", nil), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go in.Serve(ln) //nolint:errcheck // ends with Shutdown
	defer in.Shutdown(context.Background())
	raw, err := os.ReadFile("testdata/itip/gmail-reply.eml")
	if err != nil {
		b.Fatal(err)
	}
	uid := fmt.Sprintf("%d@jointcal.example.org", res.Activity.ID)
	states := []string{"ACCEPTED", "DECLINED", "TENTATIVE"}
	for i := 0; b.Loop(); i++ {
		who := fmt.Sprintf("member%d@eeas.example", i%members)
		msg := strings.NewReplacer("{{FROM}}", who, "{{UID}}", uid, "{{PARTSTAT}}", states[(i/members)%3], "{{SEQUENCE}}", "0", "mailto:ben@nato.example", "mailto:"+who).Replace(string(raw))
		if err := smtp.SendMail(ln.Addr().String(), nil, who, []string{"replies@jointcal.example.org"}, []byte(msg)); err != nil {
			b.Fatalf("reply %d: %v", i, err)
		}
	}
}
