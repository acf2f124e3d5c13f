package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
)

// NotifyOutbox announces queued notices on OutboxChannel. SQLite has no
// other process to tell (one process owns the file), so there it does
// nothing.
func (s *Store) NotifyOutbox(ctx context.Context) error {
	if s.dialect != models.Postgres {
		return nil
	}
	if err := s.db.WithContext(ctx).Exec("SELECT pg_notify(?, '')", models.OutboxChannel).Error; err != nil {
		return fmt.Errorf("notify %s: %w", models.OutboxChannel, err)
	}
	return nil
}
