package models

import (
	"time"
)

// ActivityRef names the activity a listed conflict belongs to.
type ActivityRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// ListedConflict is one clash between two stored activities (or an
// activity and a blackout or external calendar): Activity and Occurrence
// are one side, Other the other. Resources lists every resource the clash
// involves under its rule (Resource is the first of them), so that two
// exercises sharing two organisations are one clash, not two.
type ListedConflict struct {
	Activity ActivityRef `json:"activity"`
	ConflictView
	Resources []ResourceView `json:"resources"`
}

// ConflictFilter selects the conflicts of the deconfliction report.
type ConflictFilter struct {
	From, To     time.Time
	Organization Ref
	Severity     string
}
