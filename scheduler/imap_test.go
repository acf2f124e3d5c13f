package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// mailbox is an IMAP server on a loopback port holding one user's INBOX,
// the mailbox of the reply address for one test.
type mailbox struct {
	addr string
	c    *imapclient.Client // the test's own connection, to append and look
}

const imapUser, imapPassword = "replies@jointcal.example.org", "imap-test-password"

func startMailbox(t testing.TB) *mailbox {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(imapUser, imapPassword)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true, // loopback
		Logger:       discardPrintf{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(imapUser, imapPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return &mailbox{addr: ln.Addr().String(), c: c}
}

type discardPrintf struct{}

func (discardPrintf) Printf(string, ...any) {}

// put appends a message as the mail server would file it, with its line
// ends as on the wire, and returns its UID.
func (m *mailbox) put(t testing.TB, msg string) imap.UID {
	t.Helper()
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\r\n")
	cmd := m.c.Append("INBOX", int64(len(msg)), nil)
	if _, err := io.WriteString(cmd, msg); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return data.UID
}

// replyFixture reads a reply shaped by a calendar client, placeholders
// replaced.
func replyFixture(t testing.TB, name string, vars ...string) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/itip/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(vars...).Replace(string(raw))
}

// flags returns the flags of each message, by UID.
func (m *mailbox) flags(t *testing.T) map[imap.UID][]imap.Flag {
	t.Helper()
	msgs, err := m.c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[imap.UID][]imap.Flag{}
	for _, msg := range msgs {
		out[msg.UID] = msg.Flags
	}
	return out
}

// counted gathers outcomes as the metrics counter would.
type counted struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counted) add(r string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r]++
}

func (c *counted) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprint(c.n)
}

// TestIMAPPolledReplies: the replies of Outlook, Gmail and Apple Mail
// filed in the reply address's mailbox are fetched over IMAP and recorded
// by the same handler as the SMTP listener's, then marked \Seen; refused
// ones are marked \Seen and \Flagged and counted with their reason; those
// that met a database failure stay unseen and are recorded by the next
// poll; a re-filed copy of an answer changes and audits nothing.
func TestIMAPPolledReplies(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		start := time.Date(2030, 3, 7, 8, 0, 0, 0, time.UTC)
		one := f.book(models.ActivityInput{Kind: "meeting", Title: "NAC–PSC informal meeting", Start: start, End: start.Add(2 * time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"}}})
		weekly := f.book(models.ActivityInput{Kind: "meeting", Title: "Weekly desk", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY;COUNT=4",
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}}})
		if one != 1 || weekly != 2 {
			t.Fatalf("activities %d and %d; the fixtures name 1 and 2", one, weekly)
		}
		mb := startMailbox(t)
		gmail := func(from string) string {
			return replyFixture(t, "gmail-reply.eml", "{{FROM}}", from, "{{UID}}", "1@jointcal.example.org", "{{PARTSTAT}}", "ACCEPTED", "{{SEQUENCE}}", "0")
		}
		answers := []imap.UID{
			mb.put(t, gmail("Ben <ben@nato.example>")),
			mb.put(t, replyFixture(t, "apple-declined.eml", "{{UID}}", "1@jointcal.example.org")),
			mb.put(t, replyFixture(t, "outlook-tentative-instance.eml")),
		}
		refused := []imap.UID{
			mb.put(t, gmail("Eve <eve@elsewhere.example>")),
			mb.put(t, replyFixture(t, "apple-declined.eml", "{{UID}}", "abc123@google.com")),
			mb.put(t, "From: ben@nato.example\r\nSubject: hello\r\n\r\nCan we talk?\r\n"),
			mb.put(t, "From: ben@nato.example\r\nSubject: big\r\nContent-Type: text/calendar\r\n\r\n"+strings.Repeat("X", 2<<20)+"\r\n"),
		}
		var outcomes counted
		cfg := config.InboundIMAP{Addr: mb.addr, Username: imapUser, Password: imapPassword, Mailbox: "INBOX", TLS: config.IMAPTLSNone, Interval: time.Minute}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))

		// The database is gone: the answers stay unseen, the refusals,
		// decided before any query, are done with.
		down := storagetest.Open(t)
		down.Close()
		res, err := notify.NewIMAPPoller(cfg, InboundReplies(down, "jointcal.example.org", nil), log, outcomes.add, nil).Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (notify.PollResult{Refused: 4, Failed: 3}); res != want {
			t.Errorf("poll with the database down: %+v, want %+v", res, want)
		}
		flags := mb.flags(t)
		for _, uid := range answers {
			if len(flags[uid]) != 0 {
				t.Errorf("answer %d not recorded yet has flags %v, want it unseen", uid, flags[uid])
			}
		}
		for _, uid := range refused {
			if !slices.Contains(flags[uid], imap.FlagSeen) || !slices.Contains(flags[uid], imap.FlagFlagged) {
				t.Errorf("refused message %d has flags %v, want \\Seen and \\Flagged", uid, flags[uid])
			}
		}

		poller := notify.NewIMAPPoller(cfg, InboundReplies(s, "jointcal.example.org", nil), log, outcomes.add, nil)
		if res, err := poller.Poll(ctx); err != nil || res != (notify.PollResult{Recorded: 3}) {
			t.Errorf("poll with the database back: %+v %v, want the 3 answers recorded", res, err)
		}
		flags = mb.flags(t)
		for _, uid := range answers {
			if !slices.Equal(flags[uid], []imap.Flag{imap.FlagSeen}) {
				t.Errorf("recorded answer %d has flags %v, want \\Seen only", uid, flags[uid])
			}
		}
		if res, err := poller.Poll(ctx); err != nil || res != (notify.PollResult{}) {
			t.Errorf("a poll with nothing new: %+v %v", res, err)
		}
		audited := func() int {
			t.Helper()
			page, err := s.ListAudit(ctx, models.System(), models.AuditFilter{Entity: "activity", EntityID: one, ListOptions: models.ListOptions{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range page.Items {
				if e.Action == "reply" {
					n++
				}
			}
			return n
		}
		before := audited()
		again := mb.put(t, gmail("ben@nato.example")) // the mail server filed it twice
		if res, err := poller.Poll(ctx); err != nil || res != (notify.PollResult{Recorded: 1}) {
			t.Errorf("a second copy of Ben's answer: %+v %v", res, err)
		}
		if after := audited(); after != before {
			t.Errorf("a second copy of an answer added %d audit rows", after-before)
		}
		if fl := mb.flags(t)[again]; !slices.Equal(fl, []imap.Flag{imap.FlagSeen}) {
			t.Errorf("the second copy has flags %v", fl)
		}

		if got, want := outcomes.String(), "map[failed:3 from_mismatch:1 no_calendar:1 recorded:4 too_large:1 unknown_uid:1]"; got != want {
			t.Errorf("outcomes %s, want %s", got, want)
		}
		replies, err := s.ListReplies(ctx, models.System(), one, models.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range replies.Items {
			got[r.Person.Email] = r.PartStat
			if r.PartStat != "needs_action" && (r.Channel == nil || *r.Channel != "email") {
				t.Errorf("%s answered through %v, want email", r.Person.Email, r.Channel)
			}
		}
		if want := "map[ana@eeas.example:needs_action ben@nato.example:accepted chloe@eeas.example:declined]"; fmt.Sprint(got) != want {
			t.Errorf("replies %v, want %s", got, want)
		}
		ana, err := s.ListReplies(ctx, models.System(), weekly, models.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ana.Items) != 1 || len(ana.Items[0].Occurrences) != 1 || ana.Items[0].Occurrences[0].PartStat != "tentative" {
			t.Errorf("Ana's answer to one occurrence of the weekly desk: %+v", ana.Items)
		}
	})
}

// TestIMAPPollerRunStopsWithItsContext: the poller started with the jobs
// polls at once and returns when stopped.
func TestIMAPPollerRunStopsWithItsContext(t *testing.T) {
	t.Parallel()
	mb := startMailbox(t)
	uid := mb.put(t, "From: ben@nato.example\r\nSubject: hello\r\n\r\nCan we talk?\r\n")
	var outcomes counted
	cfg := config.InboundIMAP{Addr: mb.addr, Username: imapUser, Password: imapPassword, Mailbox: "INBOX", TLS: config.IMAPTLSNone, Interval: time.Hour}
	var logged bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logged, mu: &mu}, nil))
	p := notify.NewIMAPPoller(cfg, func(context.Context, string, [][]byte) error { return nil }, log, outcomes.add, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.Run(ctx)
		close(done)
	}()
	for !slices.Contains(mb.flags(t)[uid], imap.FlagSeen) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if got := outcomes.String(); got != "map[no_calendar:1]" {
		t.Errorf("outcomes %s", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logged.String(), imapPassword) {
		t.Errorf("the log carries the IMAP password:\n%s", logged.String())
	}
}

// lockedWriter lets a logger write from the poller's goroutine while the
// test reads.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
