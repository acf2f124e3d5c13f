package storage

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// openCheckpointed opens a SQLite store with a table of page-sized rows
// to fill the log with.
func openCheckpointed(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := Open(path, models.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.db.Exec("CREATE TABLE pages (body TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	return s, path
}

// writePages commits n rows of about a page each.
func writePages(t *testing.T, s *Store, n int) {
	t.Helper()
	body := strings.Repeat("x", 3500)
	err := s.write(context.Background(), func(tx *gorm.DB) error {
		for range n {
			if err := tx.Exec("INSERT INTO pages (body) VALUES (?)", body).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointsBesideTheWriters: what a commit leaves in the log reaches
// the database file without another commit (SQLite's own threshold,
// walAutocheckpointPages, is far above these 200 pages).
func TestCheckpointsBesideTheWriters(t *testing.T) {
	t.Parallel()
	s, path := openCheckpointed(t)
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	writePages(t, s, 200)
	for deadline := time.Now().Add(5 * time.Second); size() < before+200*3500; {
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes (%d before the write): nothing was checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCheckpointRestartsTheLog: a checkpoint running while a writer
// holds its transaction copies everything that writer saw, yet the log
// only starts again from its beginning when a writer begins with every
// frame copied back. Past walRestartFrames the store checkpoints once
// more inside the write lock, so that the next writer restarts the log
// instead of appending to it for ever.
func TestCheckpointRestartsTheLog(t *testing.T) {
	t.Parallel()
	s, path := openCheckpointed(t)
	s.stopCheckpoints() // this test makes the checkpoints itself
	sqlDB, err := s.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	writePages(t, s, walRestartFrames+100)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// A writer is inside its transaction while the checkpoint runs beside
	// it, as under a steady stream of bookings.
	inside, release, written := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		written <- s.write(ctx, func(tx *gorm.DB) error {
			err := tx.Exec("INSERT INTO pages (body) VALUES ('during')").Error
			close(inside)
			<-release
			return err
		})
	}()
	<-inside
	checkpointed := make(chan error)
	go func() { checkpointed <- s.checkpoint(ctx) }()
	// The pages reach the file while the writer still holds its
	// transaction.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		now, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if now.Size() >= fi.Size()+walRestartFrames*3500 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the checkpoint copied nothing back")
		}
	}
	close(release)
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if err := <-checkpointed; err != nil {
		t.Fatal(err)
	}
	writePages(t, s, 1)
	frames, err := passiveCheckpoint(ctx, sqlDB)
	if err != nil {
		t.Fatal(err)
	}
	if frames >= walRestartFrames {
		t.Errorf("the log holds %d frames after a checkpoint and a write: it did not start again", frames)
	}
}

// TestCheckpointFailuresLogged: a run of failed checkpoints is logged
// once, with the first error, and its end once, with how many failed;
// successes alone log nothing.
func TestCheckpointFailuresLogged(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := checkpointFailures{log: slog.New(slog.NewTextHandler(&out, nil))}
	disk := errors.New("disk I/O error")
	for _, err := range []error{nil, nil, disk, disk, errors.New("later error"), nil, nil, disk} {
		f.record(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines logged, want 3 (a run's start, its end, the next run's start):\n%s", len(lines), out.String())
	}
	for i, want := range []string{`level=WARN msg="SQLite checkpoint failed`, `level=INFO msg="SQLite checkpoints succeed again" failed_checkpoints=3`, `level=WARN msg="SQLite checkpoint failed`} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d is %q, want it to hold %q", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], `error="disk I/O error"`) || strings.Contains(out.String(), "later error") {
		t.Errorf("the run should be logged with its first error only:\n%s", out.String())
	}
}
