package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify/notifytest"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// buildBinary compiles jointcal once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "jointcal-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "jointcal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// binaryForTest builds jointcal once per run for tests that start it as
// a process; they are skipped with -short.
func binaryForTest(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// storeWithEU opens the database at dsn with the EU as its one
// organisation.
func storeWithEU(t *testing.T, dsn string) *storage.Store {
	t.Helper()
	s := storagetest.OpenDSN(t, dsn)
	if _, err := s.CreateOrganization(context.Background(), models.System(), models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		t.Fatal(err)
	}
	return s
}

// seedDueReminders books n activities starting in two hours with a
// two-hour reminder each: n reminders due now, one recipient each.
func seedDueReminders(t *testing.T, dsn string, n int) {
	t.Helper()
	s := storagetest.OpenDSN(t, dsn)
	ctx := context.Background()
	sys := models.System()
	if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		t.Fatal(err)
	}
	// Due a minute ago (sent late, as after downtime), starting in two hours.
	start := time.Now().UTC().Add(2*time.Hour - time.Minute)
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("staff%d@eeas.example", i)
		// Invitations off: the test counts reminders, and a booking would
		// otherwise also invite each person at once.
		if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: fmt.Sprintf("Staff %d", i), Email: email, TimeZone: "Europe/Brussels", Organization: "EU",
			ReminderPreferences: models.ReminderPreferences{NoInvitations: true}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Briefing %d", i), Start: start, End: start.Add(time.Hour),
			TimeZone: "Europe/Brussels", LeadOrganization: "EU", Reminders: []string{"PT2H"},
			Participants: []models.ParticipantInput{{Type: "person", IDOrCode: models.Ref(email)}}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// startServe runs `jointcal serve` as a child process against dsn, mailing
// through smtp, with the reminder job every second. The lease (how long
// a claimed notice waits before another process may send it) is short so
// that recovery after a kill is quick, yet long enough that a live
// dispatcher on a loaded machine does not lose its claims.
func startServe(t *testing.T, bin, dsn string, smtp *notifytest.Server, name string, extraEnv ...string) *served {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), extraEnv...),
		"JOINTCAL_DATABASE_URL="+dsn, "JOINTCAL_LISTEN=127.0.0.1:0", "JOINTCAL_LOG_FORMAT=json", "JOINTCAL_LOG_LEVEL=warn",
		"JOINTCAL_SMTP_HOST="+smtp.Host, fmt.Sprintf("JOINTCAL_SMTP_PORT=%d", smtp.Port), "JOINTCAL_SMTP_TLS=none",
		// The lease covers a claimed batch of 50 while it is sent: at 6 s a
		// loaded -race run outlasted it and the other process re-sent
		// what the first was still sending (11 duplicates in one run).
		"JOINTCAL_CRON_REMINDERS=@every 1s", "JOINTCAL_REMINDER_LEASE=30s", "JOINTCAL_MAIL_DIR="+t.TempDir())
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
	return &served{cmd: cmd, log: logPath}
}

// served is a running serve process and the file it logs to.
type served struct {
	cmd *exec.Cmd
	log string
}

// distinct counts messages by Message-ID.
func distinct(msgs []notifytest.Message) (unique int, duplicates int) {
	seen := map[string]bool{}
	for _, m := range msgs {
		raw := string(m.Data)
		i := strings.Index(raw, "Message-ID: <")
		id := raw[i : i+strings.IndexByte(raw[i:], '>')]
		if seen[id] {
			duplicates++
		}
		seen[id] = true
	}
	return len(seen), duplicates
}

// TestCrashMidDispatch kills `jointcal serve` with SIGKILL while it sends
// reminders, restarts it, and counts: nothing is lost, and nothing is sent
// twice but the message the server had accepted when the process died
// (at most one: each accepted message is recorded before the next is sent).
// On PostgreSQL two serve processes share the outbox throughout.
func TestCrashMidDispatch(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	const n = 300
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			began := time.Now()
			dsn := b.DSN(t)
			seedDueReminders(t, dsn, n)
			t.Logf("seeded in %s", time.Since(began))
			smtp := notifytest.Start(t)
			smtp.SetDelay(5 * time.Millisecond) // so that the kill lands mid-dispatch
			instances := 1
			if b.Name == "postgres" {
				instances = 2
			}
			var procs []*served
			for i := 0; i < instances; i++ {
				procs = append(procs, startServe(t, bin, dsn, smtp, fmt.Sprintf("first-%d", i)))
			}
			if got := smtp.WaitFor(n/3, 3*time.Minute); len(got) < n/3 {
				t.Fatalf("only %d messages before the kill", len(got))
			}
			for _, p := range procs {
				_ = p.cmd.Process.Signal(syscall.SIGKILL)
				_ = p.cmd.Wait()
			}
			atKill := len(smtp.Messages())
			t.Logf("killed after %s", time.Since(began))
			if atKill >= n {
				t.Fatalf("every message was sent before the kill (%d); the test proves nothing", atKill)
			}
			for i := 0; i < instances; i++ {
				startServe(t, bin, dsn, smtp, fmt.Sprintf("second-%d", i))
			}
			deadline := time.Now().Add(90 * time.Second)
			for time.Now().Before(deadline) {
				if u, _ := distinct(smtp.Messages()); u >= n {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Logf("all arrived after %s", time.Since(began))
			time.Sleep(3 * time.Second) // anything sent twice would arrive now
			unique, dups := distinct(smtp.Messages())
			t.Logf("%s: %d instance(s), %d messages at the kill, %d distinct in all, %d duplicate(s)", b.Name, instances, atKill, unique, dups)
			if unique != n {
				t.Fatalf("%d of %d reminders arrived", unique, n)
			}
			if dups > instances {
				t.Fatalf("%d duplicates; at most one per connection in flight at the kill (%d)", dups, instances)
			}
		})
	}
}

// listenURL waits for a started serve process to print its address.
func listenURL(t *testing.T, p *served) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		raw, _ := os.ReadFile(p.log)
		if i := strings.Index(string(raw), "listening on "); i >= 0 {
			return strings.Fields(string(raw[i+len("listening on "):]))[0]
		}
	}
	t.Fatal("serve printed no address")
	return ""
}

// TestTwoServeProcessesNeverDoubleBook sends 100 simultaneous bookings of
// one committee at one hour to two jointcal serve processes sharing a
// database: exactly one is written (PostgreSQL: the exclusion constraint;
// SQLite: immediate write transactions that re-check).
func TestTwoServeProcessesNeverDoubleBook(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	const token = "two-process-admin-token-0123456789"
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			s := storagetest.OpenDSN(t, dsn)
			ctx := context.Background()
			if _, err := s.CreateOrganization(ctx, models.System(), models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateBody(ctx, models.System(), models.BodyInput{Code: "PSC", Name: "Political and Security Committee", Organization: "EU"}); err != nil {
				t.Fatal(err)
			}
			urls := startBookers(t, bin, dsn, "booker", token)
			const n = 100
			answers := bookConcurrently(urls, token, n, func(i int) string {
				return fmt.Sprintf(`{"kind":"meeting","title":"PSC booking %d","start":"2031-09-09T10:00:00+02:00","end":"2031-09-09T12:00:00+02:00","timezone":"Europe/Brussels","lead_organization":"EU","participants":[{"type":"body","id_or_code":"PSC"}]}`, i)
			})
			statuses := make([]int, n)
			for i, a := range answers {
				if a.err != nil {
					t.Error(a.err)
				}
				statuses[i] = a.status
			}
			created := 0
			for _, st := range statuses {
				switch st {
				case 201:
					created++
				case 409:
				default:
					t.Fatalf("unexpected status %d among %v", st, statuses)
				}
			}
			page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{Body: "PSC"})
			if err != nil {
				t.Fatal(err)
			}
			if created != 1 || page.Total != 1 {
				t.Fatalf("%d bookings succeeded and %d are stored, want exactly 1", created, page.Total)
			}
		})
	}
}

// TestTwoServeProcessesBothWrite: two serve processes on one database
// book distinct slots at the same time, and every booking succeeds. On
// SQLite the second writer must wait for the first (immediate write
// transactions and the busy timeout) rather than fail with SQLITE_BUSY.
func TestTwoServeProcessesBothWrite(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	const token = "two-writers-admin-token-0123456789"
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			s := storeWithEU(t, dsn)
			ctx := context.Background()
			urls := startBookers(t, bin, dsn, "writer", token)
			const n = 120
			answers := bookConcurrently(urls, token, n, func(i int) string {
				start := time.Date(2031, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 2 * time.Hour)
				return fmt.Sprintf(`{"kind":"meeting","title":"Slot %d","start":%q,"end":%q,"lead_organization":"EU"}`, i, start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339))
			})
			for i, a := range answers {
				if a.err != nil || a.status != http.StatusCreated {
					t.Fatalf("booking %d: %d %s %v", i, a.status, a.body, a.err)
				}
			}
			page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{})
			if err != nil || page.Total != n {
				t.Fatalf("%d activities stored (%v), want %d", page.Total, err, n)
			}
		})
	}
}

// startBookers starts two serve processes on dsn with an admin token and
// no scheduler, and returns their URLs.
func startBookers(t *testing.T, bin, dsn, name, token string) []string {
	t.Helper()
	smtp := notifytest.Start(t)
	var urls []string
	for i := 0; i < 2; i++ {
		p := startServe(t, bin, dsn, smtp, fmt.Sprintf("%s-%d", name, i), "JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="+token, "JOINTCAL_SCHEDULER=off")
		urls = append(urls, listenURL(t, p))
	}
	return urls
}

// answer is what one concurrent booking got.
type answer struct {
	status int
	body   string
	err    error
}

// bookConcurrently posts n bookings at once, alternating between urls.
func bookConcurrently(urls []string, token string, n int, body func(i int) string) []answer {
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("POST", urls[i%len(urls)]+"/api/v1/activities", strings.NewReader(body(i)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				answers[i].err = err
				return
			}
			msg, _ := io.ReadAll(res.Body)
			res.Body.Close()
			answers[i] = answer{status: res.StatusCode, body: string(msg)}
		}(i)
	}
	wg.Wait()
	return answers
}
