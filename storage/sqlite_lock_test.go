package storage_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
	_ "modernc.org/sqlite" // a second, independent connection to the same file
)

// TestSQLiteWriterWaitsForAnotherWriter: while another connection (as
// another process would) holds SQLite's write lock, a booking waits for
// it within the busy timeout and then succeeds. With deferred
// transactions the booking read first, then failed to upgrade its
// snapshot (SQLITE_BUSY) in about 80 ms.
func TestSQLiteWriterWaitsForAnotherWriter(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lock.db")
	s := storagetest.OpenDSN(t, path)
	world(t, s)
	ctx := context.Background()
	book := func(title string, day int) error {
		start := time.Date(2031, 3, day, 10, 0, 0, 0, time.UTC)
		_, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{
			Kind: "meeting", Title: title, Start: start, End: start.Add(time.Hour), LeadOrganization: "EU",
			Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}},
		}, storage.WriteOptions{})
		return err
	}
	// Warm the pool so the booking below reads before it writes.
	if err := book("warm-up", 1); err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE organizations SET name = name || '' WHERE code = 'NATO'"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(600 * time.Millisecond)
		_, _ = conn.ExecContext(ctx, "COMMIT")
		close(released)
	}()
	if err := book("while another process writes", 2); err != nil {
		t.Fatalf("a writer must wait for the other writer's lock, not fail: %v", err)
	}
	<-released
}
