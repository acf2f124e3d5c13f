package models

import (
	"errors"
	"time"
)

// ErrGone is returned for an activity that was deleted: its tombstone
// stays for the feeds, but the API no longer serves it.
var ErrGone = errors.New("the activity was deleted")

// WriteResult is what a successful activity write returns: the activity
// and the conflict report (warnings, and the hard conflicts that were
// overridden, if any).
type WriteResult struct {
	Activity   ActivityView
	Report     CheckReport
	Overridden bool
}

// OccurrenceChange moves or cancels one instance of a recurring activity.
type OccurrenceChange struct {
	Cancelled bool       `json:"cancelled"`
	Start     *time.Time `json:"start"`
	End       *time.Time `json:"end"`
}
