package models

import (
	"errors"

	"github.com/jointcal/jointcal/calendar"
)

// ImportOptions qualify an iCalendar import.
type ImportOptions struct {
	// Organization leads the imported activities; its planners may import.
	Organization Ref
	// DryRun computes the full report and writes nothing.
	DryRun bool
	// Partial writes the events that are valid even when others are not;
	// otherwise one bad event means nothing is written.
	Partial bool
	// Progress, when set, is told how many events have been handled.
	Progress func(done, total int)
}

// ImportConflict is a conflict an imported event has with what is booked.
type ImportConflict struct {
	UID string `json:"uid"`
	ConflictView
}

// ImportReport says what an import did (or, dry, would do).
type ImportReport struct {
	DryRun    bool                   `json:"dry_run"`
	Created   int                    `json:"created"`
	Updated   int                    `json:"updated"`
	Unchanged int                    `json:"unchanged"`
	Skipped   []calendar.Skipped     `json:"skipped"`
	Warnings  []calendar.ImportError `json:"warnings"`
	Conflicts []ImportConflict       `json:"conflicts"`
	Errors    []calendar.ImportError `json:"errors"`
}

// ErrImportInvalid is returned (with the report) when an all-or-nothing
// import met invalid events: nothing was written.
var ErrImportInvalid = errors.New("the file has invalid events; nothing was imported")

// Add counts a written chunk into the report.
func (r *ImportReport) Add(part *ImportReport) {
	r.Created += part.Created
	r.Updated += part.Updated
	r.Unchanged += part.Unchanged
	r.Skipped = append(r.Skipped, part.Skipped...)
	r.Conflicts = append(r.Conflicts, part.Conflicts...)
	r.Errors = append(r.Errors, part.Errors...)
}
