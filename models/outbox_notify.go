package models

import (
	"context"
	"fmt"
)

// OutboxChannel is the PostgreSQL notification channel on which a process
// that has queued notices (the invitations of a booking) tells the process
// running the scheduled jobs to send them now: with several processes on
// one database, the booking and the dispatcher are often in different ones.
const OutboxChannel = "jointcal_outbox"

// NotifyOutbox announces queued notices on OutboxChannel. SQLite has no
// other process to tell (one process owns the file), so there it does
// nothing.
func (s *Store) NotifyOutbox(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	if err := s.db.WithContext(ctx).Exec("SELECT pg_notify(?, '')", OutboxChannel).Error; err != nil {
		return fmt.Errorf("notify %s: %w", OutboxChannel, err)
	}
	return nil
}
