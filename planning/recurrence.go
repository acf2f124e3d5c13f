package planning

import (
	"strconv"
	"time"
)

// Recurrence is what a stored activity says about its timing. It is the input
// of Validate (before the activity is stored) and of Expand (whenever its
// occurrences are needed), so both agree on one reading of the same fields.
//
// Times are handled at second precision, as in iCalendar.
type Recurrence struct {
	// Start and End bound the first occurrence. Any zone may be used; they
	// are read as instants. End must be after Start.
	Start, End time.Time
	// TimeZone is the IANA zone the activity is planned in; "" means UTC.
	// Recurring wall-clock times are kept in this zone across DST changes.
	TimeZone string
	// AllDay marks Start and End as dates: midnight in TimeZone, End
	// exclusive. Each occurrence then lasts the same number of calendar days,
	// whatever DST does in between.
	AllDay bool
	// RRule is an RFC 5545 RRULE value without the "RRULE:" prefix, e.g.
	// "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"; "" means a single occurrence (plus
	// any RDates).
	RRule string
	// ExDates are the start instants of excluded occurrences. For all-day
	// activities the date in TimeZone is what counts.
	ExDates []time.Time
	// RDates are extra occurrence starts; each lasts as long as the first.
	RDates []time.Time
	// Overrides move or cancel single occurrences.
	Overrides []Override
}

// Override is a change to one occurrence of a series, the equivalent of an
// iCalendar component with a RECURRENCE-ID: it cancels the occurrence or
// moves it to a new span.
type Override struct {
	// RecurrenceID is the original start instant of the occurrence changed.
	RecurrenceID time.Time
	// Cancelled removes the occurrence; Start and End are then ignored.
	Cancelled bool
	// Start and End are the occurrence's new span when it is moved.
	Start, End time.Time
}

// Occurrence is one concrete instance of an activity, the unit that conflict
// checks, feeds and reminders work on. Times are in UTC.
type Occurrence struct {
	Start, End time.Time
	// RecurrenceID is the occurrence's original start; it equals Start
	// unless an Override moved it, and identifies the instance for later
	// overrides and for iCalendar RECURRENCE-ID.
	RecurrenceID time.Time
}

// Limits bound the work that expanding a recurrence may cause, so that one
// crafted or careless rule cannot make the service expand forever.
type Limits struct {
	// Horizon is how far after "now" occurrences are produced at all; the
	// scheduler extends stored occurrences as time passes. Zero or negative
	// means DefaultHorizon.
	Horizon time.Duration
	// MaxInstances is the most occurrences one expansion may return, and the
	// largest COUNT a rule may have. Zero or negative means
	// DefaultMaxInstances.
	MaxInstances int
	// Past is how far before "now" jointcal keeps the occurrences of a
	// series too long to keep whole: when an expansion from the series'
	// start would exceed MaxInstances, Expand starts at now-Past instead,
	// so that a weekday stand-up running since 2009 is bounded by the
	// window jointcal serves (the horizon ahead, a feed's past window
	// behind), not by its age. Zero or negative means DefaultPast.
	Past time.Duration
}

// The defaults of Limits: three calendar years (one of them leap) and 5000
// instances, enough for a daily meeting over the whole horizon.
const (
	DefaultHorizon      = 1096 * 24 * time.Hour
	DefaultMaxInstances = 5000
	// DefaultPast matches the feeds' default past window (90 days).
	DefaultPast = 90 * 24 * time.Hour
)

// DefaultLimits returns the limits used when the configuration sets none.
func DefaultLimits() Limits {
	return Limits{Horizon: DefaultHorizon, MaxInstances: DefaultMaxInstances}
}

// withDefaults fills the zero fields of l, so that Limits{} is usable.
func (l Limits) withDefaults() Limits {
	if l.Horizon <= 0 {
		l.Horizon = DefaultHorizon
	}
	if l.MaxInstances <= 0 {
		l.MaxInstances = DefaultMaxInstances
	}
	if l.Past <= 0 {
		l.Past = DefaultPast
	}
	return l
}

// FieldError says which input field of an activity (or of a slot query) is
// wrong and why, so that the API can answer a problem document whose
// errors[].field points at the offending input.
type FieldError struct {
	// Field is the API field name: "start", "end", "timezone", "rrule",
	// "exdates", "rdates", "overrides", or one of SlotQuery's fields.
	Field string
	// Message explains the problem and quotes the offending value.
	Message string
}

// Error implements error.
func (e *FieldError) Error() string {
	return e.Field + ": " + e.Message
}

// quote renders a user-supplied value for an error message.
func quote(s string) string {
	return strconv.Quote(s)
}

// stamp renders an instant for an error message, in the activity's zone so
// that the user recognises it.
func stamp(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}
