package storage

import (
	"context"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm/clause"
)

// RecordJobRun stores the latest state of a job on an instance.
func (s *Store) RecordJobRun(ctx context.Context, r models.JobRun) error {
	r.UpdatedAt = s.now()
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
}

// ListJobRuns lists every job of every instance (administrators).
func (s *Store) ListJobRuns(ctx context.Context, a models.Actor) ([]models.JobRun, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var out []models.JobRun
	err := s.db.WithContext(ctx).Order("name, instance").Find(&out).Error
	return out, err
}
