package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// partstats are the answers each person cycles through: consecutive
// answers always differ, so each recorded one leaves exactly one audit
// row and a repeated one (a retry of a message committed but not
// acknowledged) leaves none.
var partstats = [...]string{"ACCEPTED", "TENTATIVE", "DECLINED"}

// replyBurst is the answers of people × rounds iTIP replies to one
// activity, and how many of each person's answers the listener has
// acknowledged with 250.
type replyBurst struct {
	people, rounds int
	activity       int64
	acked          []atomic.Int32
	total          atomic.Int32
}

func (b *replyBurst) email(p int) string { return fmt.Sprintf("member%02d@eeas.example", p) }

// answer is person p's k-th answer.
func (b *replyBurst) answer(p, k int) string { return partstats[(p+k)%len(partstats)] }

// message is person p's k-th answer as a calendar client mails it.
func (b *replyBurst) message(p, k int) string {
	return strings.ReplaceAll(fmt.Sprintf(`From: Member %[1]d <%[2]s>
To: jointcal <replies@jointcal.localhost>
Subject: Answer %[4]d: Crisis cell
Message-ID: <answer-%[1]d-%[4]d@eeas.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=UTF-8

Member %[1]d answered %[3]s.
--b
Content-Type: text/calendar; charset=UTF-8; method=REPLY

BEGIN:VCALENDAR
PRODID:-//jointcal test//EN
VERSION:2.0
METHOD:REPLY
BEGIN:VEVENT
UID:%[5]d@jointcal.localhost
DTSTAMP:20300304T081000Z
DTSTART:20300307T080000Z
DTEND:20300307T100000Z
SEQUENCE:0
ATTENDEE;PARTSTAT=%[3]s;CN=Member %[1]d:mailto:%[2]s
END:VEVENT
END:VCALENDAR
--b--
`, p, b.email(p), b.answer(p, k), k, b.activity), "\n", "\r\n")
}

// deliver sends one message as an MTA would and reports whether the
// listener acknowledged it with 250 (the end of DATA); what follows (QUIT)
// does not matter.
func deliver(addr, from, msg string) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt("replies@jointcal.localhost"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil { // reads the answer to DATA
		return err
	}
	_ = c.Quit()
	return nil
}

// send delivers, person by person in parallel and each person's answers
// in order, every answer from the first one not yet acknowledged; a
// person's sending stops at their first failure, to be resumed later as
// an MTA retries its queue. It returns the failures.
func (b *replyBurst) send(addr string) []error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for p := 0; p < b.people; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(b.acked[p].Load()); k < b.rounds; k++ {
				if err := deliver(addr, b.email(p), b.message(p, k)); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("member %d, answer %d: %w", p, k, err))
					mu.Unlock()
					return
				}
				b.acked[p].Store(int32(k + 1))
				b.total.Add(1)
			}
		}()
	}
	wg.Wait()
	return errs
}

// audited returns, by person, the answers the audit trail of the
// activity holds, oldest first.
func (b *replyBurst) audited(t *testing.T, s *storage.Store) map[int64][]string {
	t.Helper()
	out := map[int64][]string{}
	f := models.AuditFilter{Entity: "activity", EntityID: b.activity, Oldest: true, ListOptions: models.ListOptions{Limit: models.MaxLimit}}
	for {
		page, err := s.ListAudit(context.Background(), models.System(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			if e.Action != "reply" || e.PersonID == nil {
				continue
			}
			var row struct{ PartStat string }
			if err := json.Unmarshal(e.After, &row); err != nil {
				t.Fatalf("audit row %d: %v", e.ID, err)
			}
			out[*e.PersonID] = append(out[*e.PersonID], strings.ToUpper(row.PartStat))
		}
		if page.NextCursor == "" {
			return out
		}
		f.Cursor = page.NextCursor
	}
}

// startListening runs `jointcal scheduler` with the iTIP listener on a
// free loopback port and waits until it takes connections.
func startListening(t *testing.T, bin, dsn, name string) (*exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "scheduler")
	cmd.Env = append(os.Environ(), "JOINTCAL_DATABASE_URL="+dsn, "JOINTCAL_INBOUND_LISTEN="+addr, "JOINTCAL_LOG_FORMAT=json", "JOINTCAL_LOG_LEVEL=warn",
		"JOINTCAL_SMTP_HOST=", "JOINTCAL_MAIL_DIR="+t.TempDir())
	logPath := filepath.Join(t.TempDir(), name+".log")
	if dir := os.Getenv("JOINTCAL_TEST_KEEP_LOGS"); dir != "" {
		logPath = filepath.Join(dir, name+".log")
	}
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, addr
		}
		if time.Now().After(deadline) {
			raw, _ := os.ReadFile(logPath)
			t.Fatalf("the listener of %s never opened %s:\n%s", name, addr, raw)
		}
	}
}

// TestKillListenerMidReplyBurst kills `jointcal scheduler` with SIGKILL
// while people's calendar clients mail it their answers over SMTP, then
// checks, before any retry, that every answer acknowledged with 250 is
// in the database (acknowledged only after the commit); restarts it,
// re-sends what was not acknowledged as an MTA would, and checks that
// each person's state is their last answer and the audit trail holds
// each answer exactly once, in order: the retry of an answer committed
// but not acknowledged at the kill adds nothing.
func TestKillListenerMidReplyBurst(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	const people, rounds = 24, 6
	for _, be := range storagetest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			dsn := be.DSN(t)
			s := storeWithEU(t, dsn)
			ctx := context.Background()
			b := &replyBurst{people: people, rounds: rounds, acked: make([]atomic.Int32, people)}
			var parts []models.ParticipantInput
			ids := map[int64]int{}
			for p := 0; p < people; p++ {
				person, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: fmt.Sprintf("Member %d", p), Email: b.email(p), TimeZone: "Europe/Brussels", Organization: "EU",
					ReminderPreferences: models.ReminderPreferences{NoInvitations: true}})
				if err != nil {
					t.Fatal(err)
				}
				ids[person.ID] = p
				parts = append(parts, models.ParticipantInput{Type: "person", IDOrCode: models.Ref(b.email(p))})
			}
			start := time.Date(2030, 3, 7, 8, 0, 0, 0, time.UTC)
			act, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Crisis cell", Start: start, End: start.Add(2 * time.Hour),
				TimeZone: "Europe/Brussels", LeadOrganization: "EU", Participants: parts}, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b.activity = act.Activity.ID

			cmd, addr := startListening(t, bin, dsn, "first")
			killed := make(chan int32)
			go func() {
				for b.total.Load() < people*rounds/3 {
					time.Sleep(time.Millisecond)
				}
				_ = cmd.Process.Signal(syscall.SIGKILL)
				killed <- b.total.Load()
			}()
			failed := b.send(addr)
			atKill := <-killed
			_ = cmd.Wait()
			t.Logf("%s: %d of %d answers acknowledged at the kill, %d deliveries cut", be.Name, atKill, people*rounds, len(failed))
			if int(b.total.Load()) >= people*rounds {
				t.Fatalf("every answer was acknowledged before the kill; the test proves nothing")
			}

			// Before any retry: everything acknowledged is committed, and
			// at most the one answer in flight per person besides.
			trail := b.audited(t, s)
			for id, p := range ids {
				acked := int(b.acked[p].Load())
				got := trail[id]
				want := make([]string, 0, rounds)
				for k := 0; k < min(acked+1, rounds); k++ {
					want = append(want, b.answer(p, k))
				}
				if len(got) < acked || len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
					t.Errorf("member %d: %d answers acknowledged, the trail after the kill holds %v (want %v, or without the last)", p, acked, got, want[:acked])
				}
			}

			_, addr = startListening(t, bin, dsn, "second")
			if errs := b.send(addr); len(errs) > 0 {
				t.Fatalf("re-sending after the restart: %v", errs)
			}
			trail = b.audited(t, s)
			replies, err := s.ListReplies(ctx, models.System(), b.activity, models.ListOptions{Limit: models.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			state := map[int64]string{}
			for _, r := range replies.Items {
				state[r.Person.ID] = strings.ToUpper(r.PartStat)
			}
			for id, p := range ids {
				var want []string
				for k := 0; k < rounds; k++ {
					want = append(want, b.answer(p, k))
				}
				if !slices.Equal(trail[id], want) {
					t.Errorf("member %d: audit trail %v, want each answer once, in order: %v", p, trail[id], want)
				}
				if state[id] != want[rounds-1] {
					t.Errorf("member %d: state %s, want their last answer %s", p, state[id], want[rounds-1])
				}
			}
		})
	}
}
