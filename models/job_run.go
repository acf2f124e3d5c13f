package models

import (
	"time"
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
