package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
	"github.com/prometheus/client_golang/prometheus"
)

// appended is a message handed to the in-memory server.
type appended struct {
	*strings.Reader
}

func (a appended) Size() int64 { return a.Reader.Size() }

type silentIMAP struct{}

func (silentIMAP) Printf(string, ...any) {}

// TestStartInboundPollsIMAP: the JOINTCAL_INBOUND_IMAP_* settings, read
// as at start, make the jobs poll the mailbox: the answer filed there is
// recorded and counted in jointcal_inbound_replies_total, and stopping
// ends the poller.
func TestStartInboundPollsIMAP(t *testing.T) {
	t.Parallel()
	s := storeWithEU(t, storagetest.Backends()[0].DSN(t))
	ctx := context.Background()
	if _, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Ana", Email: "ana@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU",
		ReminderPreferences: models.ReminderPreferences{NoInvitations: true}}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 3, 7, 8, 0, 0, 0, time.UTC)
	act, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Desk", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
		LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}}}, storage.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}

	mem := imapmemserver.New()
	u := imapmemserver.NewUser("replies", "imap-test-password")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	b := &replyBurst{people: 1, rounds: 1, activity: act.Activity.ID}
	msg := strings.ReplaceAll(b.message(0, 0), "member00@eeas.example", "ana@eeas.example")
	if _, err := u.Append("INBOX", appended{strings.NewReader(msg)}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, InsecureAuth: true, Logger: silentIMAP{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })

	cfg, err := config.Load(func(k string) string {
		return map[string]string{"JOINTCAL_INBOUND_IMAP_ADDR": ln.Addr().String(), "JOINTCAL_INBOUND_IMAP_USERNAME": "replies",
			"JOINTCAL_INBOUND_IMAP_PASSWORD": "imap-test-password", "JOINTCAL_INBOUND_IMAP_TLS": "none", "JOINTCAL_INBOUND_IMAP_INTERVAL": "PT1S"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	stop, err := startInbound(cfg, s, slog.New(slog.NewTextHandler(io.Discard, nil)), reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		replies, err := s.ListReplies(ctx, models.System(), act.Activity.ID, models.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(replies.Items) == 1 && replies.Items[0].PartStat == "accepted" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the answer filed in the mailbox was not recorded: %+v", replies.Items)
		}
	}
	stop()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var counted []string
	for _, f := range families {
		if f.GetName() != "jointcal_inbound_replies_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			counted = append(counted, fmt.Sprintf("%s=%v", m.GetLabel()[0].GetValue(), m.GetCounter().GetValue()))
		}
	}
	if fmt.Sprint(counted) != "[recorded=1]" {
		t.Fatalf("jointcal_inbound_replies_total: %v, want [recorded=1]", counted)
	}
}
