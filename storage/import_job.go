package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// importJobHeartbeat is how stale a running job's progress may grow
// before it is reported as interrupted: the process running it records
// progress every second, so silence this long means it stopped.
const importJobHeartbeat = 2 * time.Minute

// CreateImportJob records an import about to run in the background, after
// checking that a may import for the organisation.
func (s *Store) CreateImportJob(ctx context.Context, a models.Actor, org models.Ref, total int, dryRun bool) (*models.ImportJob, error) {
	o, err := s.GetOrganization(ctx, org)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "organization", Message: fmt.Sprintf("no organisation %q", org)}}}
		}
		return nil, err
	}
	if err := a.CanWriteActivity(o.ID); err != nil {
		return nil, err
	}
	now := s.now()
	job := &models.ImportJob{OrganizationID: o.ID, Organization: o.Code, State: models.ImportJobRunning, DryRun: dryRun, Total: int64(total), CreatedAt: now, UpdatedAt: now}
	if a.TokenID != 0 {
		tid := a.TokenID
		job.CreatedByTokenID = &tid
	}
	if a.PersonID != 0 {
		pid := a.PersonID
		job.CreatedByPersonID = &pid
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(job).Error; err != nil {
			return fmt.Errorf("create import job: %w", err)
		}
		return s.audit(tx, a, "import_start", "import_job", job.ID, nil, map[string]any{"organization": o.Code, "events": total, "dry_run": dryRun}, "")
	})
	return job, err
}

// RecordImportProgress notes how many events a running job has handled;
// it is also the job's heartbeat.
func (s *Store) RecordImportProgress(ctx context.Context, id int64, done int) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&models.ImportJob{}).Where("id = ? AND state = ?", id, models.ImportJobRunning).Updates(map[string]any{"done": done, "updated_at": s.now()}).Error
	})
}

// FinishImportJob records the outcome of a job: its report, and the
// error that stopped it if any (a report with invalid events and nothing
// written is a finished job, not a failed one).
func (s *Store) FinishImportJob(ctx context.Context, id int64, rep *models.ImportReport, cause error) error {
	now := s.now()
	fields := map[string]any{"state": models.ImportJobDone, "updated_at": now, "finished_at": now, "error": ""}
	if rep != nil {
		raw, err := json.Marshal(rep)
		if err != nil {
			return fmt.Errorf("encode the report of import job %d: %w", id, err)
		}
		fields["report"] = string(raw)
		fields["done"] = rep.Created + rep.Updated + rep.Unchanged + len(rep.Skipped) + len(rep.Errors)
	}
	if cause != nil {
		fields["state"] = models.ImportJobFailed
		fields["error"] = cause.Error()
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&models.ImportJob{}).Where("id = ?", id).Updates(fields).Error
	})
}

// GetImportJob returns a job to its creator (the token, or the signed-in
// person, that started it) or an administrator; to anyone else it does
// not exist. A running job whose process stopped
// reporting is shown as failed.
func (s *Store) GetImportJob(ctx context.Context, a models.Actor, id int64) (*models.ImportJob, error) {
	db := s.db.WithContext(ctx)
	var job models.ImportJob
	q := db.Model(&models.ImportJob{})
	if a.Role != models.RoleAdmin {
		q = q.Where("(created_by_token_id = ? AND ? <> 0) OR (created_by_person_id = ? AND ? <> 0)", a.TokenID, a.TokenID, a.PersonID, a.PersonID)
	}
	if err := q.First(&job, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load import job %d: %w", id, err)
	}
	var codes []string
	if err := db.Table("organizations").Where("id = ?", job.OrganizationID).Pluck("code", &codes).Error; err != nil {
		return nil, fmt.Errorf("load the organisation of import job %d: %w", id, err)
	}
	if len(codes) == 1 {
		job.Organization = codes[0]
	}
	if job.ReportJSON != "" {
		job.Report = &models.ImportReport{}
		if err := json.Unmarshal([]byte(job.ReportJSON), job.Report); err != nil {
			return nil, fmt.Errorf("decode the report of import job %d: %w", id, err)
		}
	}
	if job.State == models.ImportJobRunning && s.now().Sub(job.UpdatedAt) > importJobHeartbeat {
		job.State = models.ImportJobFailed
		job.Error = "interrupted: the server running it stopped; run the import again to complete it (re-imports change only what is missing)"
	}
	return &job, nil
}
