package models

import (
	"errors"
	"time"
)

// ImportJobState is where an import job is.
type ImportJobState string

// The states of an import job.
const (
	ImportJobRunning ImportJobState = "running"
	ImportJobDone    ImportJobState = "done"
	ImportJobFailed  ImportJobState = "failed"
)

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
