package models

import (
	"slices"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// ConflictKey names a clash independently of the side it is seen from:
// ActivityID is the lower of two activity ids; OtherID the other activity,
// minus a blackout's id, minus a billion minus an external calendar's id,
// or 0 for an activity the viewer may not see; Occurrence the start of
// the overlap.
type ConflictKey struct {
	ActivityID int64
	OtherID    int64
	Rule       string
	Occurrence time.Time
}

// Key is the clash's key, the same from either side.
func (l ListedConflict) Key() ConflictKey {
	a, b := l.Activity.ID, l.Other.ActivityID
	switch {
	case l.Other.BlackoutID != 0:
		b = -l.Other.BlackoutID
	case l.Other.ExternalCalendarID != 0:
		b = -1_000_000_000 - l.Other.ExternalCalendarID
	case l.Other.Restricted:
		b = 0
	}
	if b > 0 && b < a {
		a, b = b, a
	}
	return ConflictKey{ActivityID: a, OtherID: b, Rule: l.Rule, Occurrence: l.Overlap.Start.UTC().Truncate(time.Second)}
}

// AcceptedConflict records that a planner let a clash stand, and why.
type AcceptedConflict struct {
	ID          int64     `json:"id" gorm:"primaryKey"`
	ActivityID  int64     `json:"activity_id"`
	OtherID     int64     `json:"other_id"`
	Rule        string    `json:"rule"`
	OccurrenceS int64     `json:"occurrence_s" gorm:"column:occurrence_s"`
	Note        string    `json:"note"`
	PersonID    *int64    `json:"person_id,omitempty"`
	AcceptedBy  string    `json:"accepted_by"`
	AcceptedAt  time.Time `json:"accepted_at"`
}

// TableName maps AcceptedConflict to accepted_conflicts.
func (AcceptedConflict) TableName() string { return "accepted_conflicts" }

// Key is the clash an acceptance stands for: the store matches it against
// the agenda's clashes to mark them accepted.
func (r AcceptedConflict) Key() ConflictKey {
	return ConflictKey{ActivityID: r.ActivityID, OtherID: r.OtherID, Rule: r.Rule, Occurrence: time.Unix(r.OccurrenceS, 0).UTC()}
}

// conflictRules are the rules a clash on the agenda can be under.
// (A stale external calendar's warning is not a clash to accept: it
// goes when the calendar syncs again.)
var conflictRules = []string{planning.RulePersonDoubleBooked, planning.RuleBodyDoubleBooked, planning.RuleVenueDoubleBooked, planning.RuleOptionalBusy,
	planning.RulePlanningOverlap, planning.RuleBlackout, planning.RuleBuffer, planning.RuleExternalBusy, planning.RuleProposalHold,
	RuleRequiredDeclined, RuleRequiredNoReply}

// ConflictRules lists the rules of the deconfliction agenda (a fresh
// copy: filters offer them).
func ConflictRules() []string { return append([]string(nil), conflictRules...) }

// Acceptable tells whether a listed clash may be accepted with a note
// (AcceptConflict refuses the others): every rule of the agenda but a
// stale external calendar's warning.
func (l ListedConflict) Acceptable() bool { return slices.Contains(conflictRules, l.Rule) }
