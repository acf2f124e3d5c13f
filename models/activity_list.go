package models

import (
	"time"
)

// ActivityFilter narrows the activity list. From/To select activities
// with an occurrence overlapping [From, To); Organization matches the lead
// or a participating organisation.
type ActivityFilter struct {
	From, To     time.Time
	Kind         string
	Organization Ref
	Body         Ref
	Person       Ref
	Venue        Ref
	Area         string
	Series       string
	Status       string
	Q            string
	// Involving keeps the activities a person takes part in, directly or
	// through a body they belong to ("my activities").
	Involving int64
	// ID keeps one activity (its occurrences, on its page).
	ID int64
	// LatestFirst orders the activity list by start, latest first (then
	// by id, highest first), instead of by id, so that a list read up to
	// a bound keeps the newest activities, not the oldest created. Its
	// cursors are its own (they carry the start); ListOptions.Descending
	// has no effect with it. No index serves the order: each page sorts
	// what the other filters leave (a kind's activities, for the PACE
	// pairs page), so it is not for unfiltered lists at scale.
	LatestFirst bool
	ListOptions
}

// Validate refuses enum values that name nothing: a misspelt kind
// ("exercize") must not read as "there are none".
func (f ActivityFilter) Validate() error {
	v := &ValidationError{}
	if f.Kind != "" {
		CheckEnum(v, "kind", f.Kind, EnumNames(Kinds())...)
	}
	if f.Status != "" {
		CheckEnum(v, "status", f.Status, EnumNames(Statuses())...)
	}
	return v.OrNil()
}
