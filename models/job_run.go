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
