package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ImportJobState is where an import job is.
type ImportJobState string

// The states of an import job.
const (
	ImportJobRunning ImportJobState = "running"
	ImportJobDone    ImportJobState = "done"
	ImportJobFailed  ImportJobState = "failed"
)

// importJobHeartbeat is how stale a running job's progress may grow
// before it is reported as interrupted: the process running it records
// progress every second, so silence this long means it stopped.
const importJobHeartbeat = 2 * time.Minute

// ErrImportBusy is the answer to a new import job when the process runs
// as many as it may at once; the person sends the file again later.
var ErrImportBusy = errors.New("too many imports are running on this server")

// ImportJob is an import running in the background: its progress and,
// once done, its report. Only its creator and administrators see it.
type ImportJob struct {
	ID               int64  `json:"id" gorm:"primaryKey"`
	OrganizationID   int64  `json:"-"`
	Organization     string `json:"organization" gorm:"-"`
	CreatedByTokenID *int64 `json:"-"`
	// CreatedByPersonID is the signed-in person who started the job.
	CreatedByPersonID *int64         `json:"-"`
	State             ImportJobState `json:"state"`
	DryRun            bool           `json:"dry_run"`
	Total             int64          `json:"total"`
	Done              int64          `json:"done"`
	ReportJSON        string         `json:"-" gorm:"column:report"`
	Report            *ImportReport  `json:"report" gorm:"-"`
	Error             string         `json:"error"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	FinishedAt        *time.Time     `json:"finished_at"`
}

// CreateImportJob records an import about to run in the background, after
// checking that a may import for the organisation.
func (s *Store) CreateImportJob(ctx context.Context, a Actor, org Ref, total int, dryRun bool) (*ImportJob, error) {
	o, err := s.GetOrganization(ctx, org)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, &ValidationError{Errors: []FieldError{{Field: "organization", Message: fmt.Sprintf("no organisation %q", org)}}}
		}
		return nil, err
	}
	if err := a.canWriteActivity(o.ID); err != nil {
		return nil, err
	}
	now := s.now()
	job := &ImportJob{OrganizationID: o.ID, Organization: o.Code, State: ImportJobRunning, DryRun: dryRun, Total: int64(total), CreatedAt: now, UpdatedAt: now}
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
		return tx.Model(&ImportJob{}).Where("id = ? AND state = ?", id, ImportJobRunning).Updates(map[string]any{"done": done, "updated_at": s.now()}).Error
	})
}

// FinishImportJob records the outcome of a job: its report, and the
// error that stopped it if any (a report with invalid events and nothing
// written is a finished job, not a failed one).
func (s *Store) FinishImportJob(ctx context.Context, id int64, rep *ImportReport, cause error) error {
	now := s.now()
	fields := map[string]any{"state": ImportJobDone, "updated_at": now, "finished_at": now, "error": ""}
	if rep != nil {
		raw, err := json.Marshal(rep)
		if err != nil {
			return fmt.Errorf("encode the report of import job %d: %w", id, err)
		}
		fields["report"] = string(raw)
		fields["done"] = rep.Created + rep.Updated + rep.Unchanged + len(rep.Skipped) + len(rep.Errors)
	}
	if cause != nil {
		fields["state"] = ImportJobFailed
		fields["error"] = cause.Error()
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&ImportJob{}).Where("id = ?", id).Updates(fields).Error
	})
}

// GetImportJob returns a job to its creator (the token, or the signed-in
// person, that started it) or an administrator; to anyone else it does
// not exist. A running job whose process stopped
// reporting is shown as failed.
func (s *Store) GetImportJob(ctx context.Context, a Actor, id int64) (*ImportJob, error) {
	db := s.db.WithContext(ctx)
	var job ImportJob
	q := db.Model(&ImportJob{})
	if a.Role != RoleAdmin {
		q = q.Where("(created_by_token_id = ? AND ? <> 0) OR (created_by_person_id = ? AND ? <> 0)", a.TokenID, a.TokenID, a.PersonID, a.PersonID)
	}
	if err := q.First(&job, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
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
		job.Report = &ImportReport{}
		if err := json.Unmarshal([]byte(job.ReportJSON), job.Report); err != nil {
			return nil, fmt.Errorf("decode the report of import job %d: %w", id, err)
		}
	}
	if job.State == ImportJobRunning && s.now().Sub(job.UpdatedAt) > importJobHeartbeat {
		job.State = ImportJobFailed
		job.Error = "interrupted: the server running it stopped; run the import again to complete it (re-imports change only what is missing)"
	}
	return &job, nil
}
