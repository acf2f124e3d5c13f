package models

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// JobRun is what one scheduler instance last did with one job. Kept in
// the database so that GET /api/v1/jobs shows every instance, including
// a `jointcal scheduler` process apart from the API.
type JobRun struct {
	Name           string     `json:"name" gorm:"primaryKey"`
	Instance       string     `json:"instance" gorm:"primaryKey"`
	Schedule       string     `json:"schedule"`
	LastRun        *time.Time `json:"last_run"`
	LastSuccess    *time.Time `json:"last_success"`
	LastDurationMS int64      `json:"last_duration_ms" gorm:"column:last_duration_ms"`
	LastError      string     `json:"last_error"`
	NextRun        *time.Time `json:"next_run"`
	Runs           int64      `json:"runs"`
	Failures       int64      `json:"failures"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// RecordJobRun stores the latest state of a job on an instance.
func (s *Store) RecordJobRun(ctx context.Context, r JobRun) error {
	r.UpdatedAt = s.now()
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
}

// ListJobRuns lists every job of every instance (administrators).
func (s *Store) ListJobRuns(ctx context.Context, a Actor) ([]JobRun, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	var out []JobRun
	err := s.db.WithContext(ctx).Order("name, instance").Find(&out).Error
	return out, err
}

// PlannedUntil is how far reminder planning has got (zero: never ran).
func (s *Store) PlannedUntil(ctx context.Context) (time.Time, error) {
	var vals []int64
	if err := s.db.WithContext(ctx).Table("scheduler_state").Where("name = ?", "reminders_planned").Pluck("value_s", &vals).Error; err != nil {
		return time.Time{}, err
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
