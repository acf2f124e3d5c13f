package scheduler

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestOutboxAnnouncementsReachTheListener: a process that queued notices
// (here a second store on the same PostgreSQL database, as a serve
// process with JOINTCAL_SCHEDULER=off would be) wakes the process that
// runs the dispatcher through LISTEN/NOTIFY; on SQLite the announcement
// is a no-op, as one process both books and dispatches.
func TestOutboxAnnouncementsReachTheListener(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			booking := storagetest.OpenDSN(t, dsn)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if b.Name != "postgres" {
				if err := booking.NotifyOutbox(ctx); err != nil {
					t.Fatalf("NotifyOutbox on %s: %v", b.Name, err)
				}
				return
			}
			nudges := make(chan struct{}, 16)
			ListenOutbox(ctx, dsn, func() { nudges <- struct{}{} }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			wait := func(what string) {
				t.Helper()
				select {
				case <-nudges:
				case <-time.After(30 * time.Second):
					t.Fatalf("no nudge %s", what)
				}
			}
			wait("once listening (for what was queued before)")
			for i := range 2 {
				if err := booking.NotifyOutbox(ctx); err != nil {
					t.Fatalf("NotifyOutbox %d: %v", i, err)
				}
				wait("after an announcement")
			}
		})
	}
}

// TestAnnouncerCoalesces: nudges made while an announcement runs cost one
// more announcement, not one each, and a booking never waits for them.
func TestAnnouncerCoalesces(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	calls := make(chan struct{}, 16)
	n := StartAnnouncer(ctx, func(context.Context) error {
		calls <- struct{}{}
		<-release
		return nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	n.Nudge()
	<-calls // the first announcement runs and is held
	for range 10 {
		n.Nudge() // never blocks, although the announcer is busy
	}
	release <- struct{}{}
	<-calls // one more for the ten nudges, held in turn
	if pending := len(n.c); pending != 0 {
		t.Errorf("%d announcements still queued after the one for ten nudges", pending)
	}
	close(release)
}
