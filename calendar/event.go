package calendar

import (
	"time"
)

// Event is one activity as a feed shows it: the master VEVENT plus, for a
// recurring activity, its changed or cancelled instances. Callers (api,
// notify) fill it from their records; nothing here knows about the database.
// Instants are written to the second (iCalendar has no finer unit).
type Event struct {
	// UID is stable for the life of the activity (see UID); clients match
	// updates and cancellations on it, so it must never change.
	UID string
	// Title is SUMMARY; Description is DESCRIPTION (what, who, lead
	// organisation). If URL is set and Description does not already contain
	// it, the URL is appended on its own line, because several clients
	// (Google Calendar among them) never show the URL property.
	Title, Description string
	// Start and End are instants; End is exclusive. A zero End omits DTEND
	// (a timed event then lasts zero time, an all-day event one day).
	Start, End time.Time
	// TimeZone is the IANA zone the event is planned in. DTSTART, DTEND,
	// RDATE, EXDATE and RECURRENCE-ID are written in it with TZID and a
	// VTIMEZONE is emitted; "" or "UTC" writes UTC times with Z instead.
	TimeZone string
	// AllDay writes VALUE=DATE dates: the calendar date of Start (and End,
	// which is exclusive) as seen in TimeZone (UTC when TimeZone is "").
	AllDay bool
	// RRule is the recurrence rule value without "RRULE:", e.g.
	// "FREQ=WEEKLY;BYDAY=TU;UNTIL=20240630T220000Z". UNTIL must be a UTC
	// date-time for a timed event and a date for an all-day one (RFC 5545).
	RRule string
	// ExDates are removed occurrences; RDates are added ones. Each is the
	// occurrence's start instant.
	ExDates, RDates []time.Time
	// Overrides are the changed or cancelled instances of a recurring event,
	// one VEVENT with RECURRENCE-ID each.
	Overrides []Override
	// Status is "tentative", "confirmed" or "cancelled" (any case), or "" to
	// omit STATUS. Cancelled and deleted activities stay in the feed as
	// cancelled for a retention period so that clients remove them.
	Status string
	// Sequence is incremented by the caller on every change of time, place,
	// status or title; clients ignore an update whose SEQUENCE did not grow.
	Sequence int
	// Created and LastModified are written as CREATED and LAST-MODIFIED (UTC)
	// unless zero.
	Created, LastModified time.Time
	// Location is LOCATION, free text (venue name and address).
	Location string
	// URL links back to the activity in jointcal (URL property).
	URL string
	// ConferenceURL is the virtual meeting link, written as
	// CONFERENCE;VALUE=URI;FEATURE=VIDEO (RFC 7986).
	ConferenceURL string
	// Categories become one CATEGORIES property: kind, areas, series.
	Categories []string
	// Class is "PUBLIC" (the default when ""), "PRIVATE" or "CONFIDENTIAL".
	Class string
	// Organizer is ORGANIZER; nil or without Email omits it.
	Organizer *Attendee
	// Attendees become ATTENDEE properties (see Attendee for the mapping).
	Attendees []Attendee
	// Reminders are how long before the start an alarm fires; each becomes a
	// VALARM with ACTION:DISPLAY and TRIGGER:-<duration>. A negative value
	// fires after the start. Cancelled events and instances carry no alarm.
	Reminders []time.Duration
}

// Override changes or cancels one instance of a recurring Event. It is
// written as a VEVENT with the master's UID and a RECURRENCE-ID, carrying the
// master's other properties so that the instance is complete on its own.
type Override struct {
	// RecurrenceID is the original start instant of the instance.
	RecurrenceID time.Time
	// Cancelled marks the instance STATUS:CANCELLED.
	Cancelled bool
	// Start and End are the instance's new times; zero keeps the original
	// start (RecurrenceID) and the master's duration.
	Start, End time.Time
	// Title replaces the master's Title; "" keeps it.
	Title string
}

// UID builds the stable event UID "<activity-id>@<host>" from an activity
// identifier and the configured host, so that the feed, e-mail invitations and
// any future import agree on one form.
func UID(activityID, host string) string {
	return activityID + "@" + host
}
