package models

import (
	"time"
)

// SpanView is a time span in answers.
type SpanView struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// OtherView is what a conflict says about the activity (or blackout) it
// collides with. For an activity the actor may not see, only Restricted is
// set: the slot is busy, and nothing else is revealed.
type OtherView struct {
	ActivityID int64 `json:"activity_id,omitempty"`
	BlackoutID int64 `json:"blackout_id,omitempty"`
	// ExternalCalendarID names the subscription of an external_busy or
	// external_stale item.
	ExternalCalendarID int64      `json:"external_calendar_id,omitempty"`
	Title              string     `json:"title,omitempty"`
	Start              *time.Time `json:"start,omitempty"`
	End                *time.Time `json:"end,omitempty"`
	Restricted         bool       `json:"restricted,omitempty"`
	// Note says, for a proposal_hold, who proposed the other activity and
	// whom it awaits ("proposed by EU, awaiting NATO").
	Note string `json:"note,omitempty"`
}

// ConflictView is one conflict as the API reports it.
type ConflictView struct {
	Rule       string       `json:"rule"`
	Severity   string       `json:"severity"`
	Resource   ResourceView `json:"resource"`
	Occurrence SpanView     `json:"occurrence"`
	Other      OtherView    `json:"other"`
	Overlap    SpanView     `json:"overlap"`
}

// CheckReport is the answer of a conflict check: hard conflicts block a
// booking, warnings do not.
type CheckReport struct {
	Conflicts []ConflictView `json:"conflicts"`
	Warnings  []ConflictView `json:"warnings"`
}
