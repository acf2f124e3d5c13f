package storage

import (
	"context"
	"fmt"
	"time"
)

// PlannedUntil is how far reminder planning has got (zero: never ran).
func (s *Store) PlannedUntil(ctx context.Context) (time.Time, error) {
	var vals []int64
	if err := s.db.WithContext(ctx).Table("scheduler_state").Where("name = ?", "reminders_planned").Pluck("value_s", &vals).Error; err != nil {
		return time.Time{}, fmt.Errorf("read scheduler state: %w", err)
	}
	if len(vals) == 0 {
		return time.Time{}, nil
	}
	return time.Unix(vals[0], 0).UTC(), nil
}

// SetPlannedUntil records planning progress; it never moves backwards,
// whichever instance writes last.
func (s *Store) SetPlannedUntil(ctx context.Context, t time.Time) error {
	return s.db.WithContext(ctx).Exec(`INSERT INTO scheduler_state (name, value_s) VALUES ('reminders_planned', ?)
		ON CONFLICT (name) DO UPDATE SET value_s = CASE WHEN excluded.value_s > scheduler_state.value_s THEN excluded.value_s ELSE scheduler_state.value_s END`, t.Unix()).Error
}
