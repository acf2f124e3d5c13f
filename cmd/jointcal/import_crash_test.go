package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// bigCalendar writes an iCalendar file of n one-hour events.
func bigCalendar(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//crash//EN\r\n")
	start := time.Date(2031, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		s := start.Add(time.Duration(i) * 90 * time.Minute)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:crash-%d@example\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Event %d\r\nEND:VEVENT\r\n",
			i, s.Format("20060102T150405Z"), s.Add(time.Hour).Format("20060102T150405Z"), i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	path := filepath.Join(t.TempDir(), "big.ics")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKillDuringImport kills `jointcal import` with SIGKILL mid-import,
// once its first chunk is written:
// an import writes in chunks of 200 events, one transaction each, so the
// database holds whole chunks and never part of one, and the same import
// run again completes it, writing every event once.
func TestKillDuringImport(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	const n = 6000
	file := bigCalendar(t, n)
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			s := storeWithEU(t, dsn)
			ctx := context.Background()
			importCmd := func() *exec.Cmd {
				cmd := exec.Command(bin, "import", file, "--organization", "EU")
				cmd.Env = append(os.Environ(), "JOINTCAL_DATABASE_URL="+dsn, "JOINTCAL_LOG_LEVEL=warn")
				return cmd
			}
			cmd := importCmd()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Killed as soon as its first chunk is in: a fixed delay let a
			// faster import finish before the kill.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
				page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{ListOptions: models.ListOptions{Limit: 1}})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the import wrote nothing in 30 s")
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			state, _ := cmd.Process.Wait()
			if ws, ok := state.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("the import ended before the kill (%v); the test proves nothing", state)
			}
			page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total%200 != 0 || page.Total >= n {
				t.Fatalf("%d activities of a killed import are visible: not whole chunks of 200", page.Total)
			}
			t.Logf("%d of %d events written at the kill", page.Total, n)
			if out, err := importCmd().CombinedOutput(); err != nil {
				t.Fatalf("the import run again: %v\n%s", err, out)
			}
			page, err = s.ListActivities(ctx, models.System(), models.ActivityFilter{ListOptions: models.ListOptions{Limit: 1}})
			if err != nil || page.Total != n {
				t.Fatalf("%d activities after the second import (%v), want %d", page.Total, err, n)
			}
		})
	}
}
