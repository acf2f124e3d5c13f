package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jointcal/jointcal/models"
)

// listenRetry is how long ListenOutbox waits before connecting again after
// losing its connection: the minute tick still sends meanwhile.
const listenRetry = 5 * time.Second

// ListenOutbox calls nudge whenever a process announces queued notices on
// models.OutboxChannel of the PostgreSQL database at dsn, until ctx ends.
// It holds one connection of its own (LISTEN needs a session, which a
// pooled connection is not) and reconnects after losing it.
func ListenOutbox(ctx context.Context, dsn string, nudge func(), log *slog.Logger) {
	go func() {
		for ctx.Err() == nil {
			err := listenOnce(ctx, dsn, nudge)
			if ctx.Err() != nil {
				return
			}
			log.Warn("outbox announcements not received; listening again soon (the minute tick still sends)", "error", err, "retry_in", listenRetry.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(listenRetry):
			}
		}
	}()
}

// listenOnce listens on one connection until it fails or ctx ends.
func listenOnce(ctx context.Context, dsn string, nudge func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+models.OutboxChannel); err != nil {
		return fmt.Errorf("listen %s: %w", models.OutboxChannel, err)
	}
	// Notices queued while this process was not listening are sent now.
	nudge()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("wait for %s: %w", models.OutboxChannel, err)
		}
		nudge()
	}
}

// StartAnnouncer runs announce (such as Store.NotifyOutbox) after each
// Nudge, in a goroutine of its own until ctx ends, so that a booking
// never waits for it; nudges made while one runs are answered by one more
// run, not one each.
func StartAnnouncer(ctx context.Context, announce func(context.Context) error, log *slog.Logger) *Nudger {
	n := &Nudger{c: make(chan struct{}, 1)}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-n.c:
			}
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := announce(actx); err != nil && ctx.Err() == nil {
				log.Warn("queued notices not announced; the dispatcher's next tick sends them", "error", err)
			}
			cancel()
		}
	}()
	return n
}
