package calendar

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// This file is the import side's public face: ParseImport and the plain
// structs it returns. The work is split by what it serves:
//
//	import_lines.go      bytes to unfolded, parsed content lines; TEXT unescaping
//	import_tree.go       content lines to the components import needs (structure, limits)
//	import_values.go     DATE, DATE-TIME, DURATION, UTC-OFFSET; wall clock to instant
//	import_tz.go         TZID to IANA zone (IANA, Windows, custom VTIMEZONE blocks)
//	import_vtimezone.go  a custom VTIMEZONE block as offsets over time
//	windows_zones.go     CLDR's Windows-to-IANA table
//	import_event.go      one VEVENT to an ImportedEvent
//	import_attendee.go   ATTENDEE and ORGANIZER to Attendee
//	import_alarm.go      VALARM triggers to reminders
//	import_merge.go      masters, RECURRENCE-ID overrides and duplicates by UID

// ImportLimits bound what one file may cost, so that a hostile or broken
// upload (or a subscribed URL serving garbage) cannot exhaust the server.
// Zero or negative fields mean the DefaultImportLimits value.
type ImportLimits struct {
	// MaxBytes is the largest input accepted; the reader is never read past
	// MaxBytes+1 bytes.
	MaxBytes int64
	// MaxEvents is the largest number of VEVENT components (masters and
	// RECURRENCE-ID instances together) accepted in one input.
	MaxEvents int
	// MaxAttendees is the most ATTENDEEs kept per event; the others are
	// left out with a warning. A subscribed server controls this input,
	// and every attendee costs a lookup and a participant.
	MaxAttendees int
}

// DefaultImportLimits returns the limits: 10 MiB, 50,000 events and
// 1,000 attendees per event (a large plenary; Exchange refuses more by
// default).
// It is a function rather than a variable so that no caller can change the
// defaults for everybody.
func DefaultImportLimits() ImportLimits {
	return ImportLimits{MaxBytes: 10 << 20, MaxEvents: 50000, MaxAttendees: 1000}
}

// ImportOptions are the caller's choices for one ParseImport call.
type ImportOptions struct {
	// DefaultZone is the zone of floating times (DATE-TIME without TZID or
	// Z) and of all-day dates, which iCalendar leaves to the reader, when
	// the calendar's X-WR-TIMEZONE names none; pass the zone the import
	// was given, else the importing organisation's. nil means UTC. It must
	// be an IANA zone (from time.LoadLocation), because its name becomes
	// ImportedEvent.TimeZone; time.Local and fixed zones are refused.
	DefaultZone *time.Location
	// Limits bound the input; zero fields take DefaultImportLimits.
	Limits ImportLimits
}

// ImportedEvent is one VEVENT master, with its RECURRENCE-ID overrides
// folded in, as plain data. It exists so that the api and scheduler packages
// can create or update activities (and external busy blocks) without knowing
// iCalendar. Its fields mirror Event's, so an imported event can be rendered
// again; every event ParseImport returns passes Render's validation.
type ImportedEvent struct {
	// UID is the source UID, the key that makes a re-import update instead
	// of duplicate. A VEVENT without UID (allowed by the older RFC 2445) gets
	// a synthetic one that is stable across re-imports of the same data:
	// "synthetic-<hash of DTSTART and SUMMARY>@import.invalid".
	UID string
	// Line is the line of the master's BEGIN:VEVENT, for messages.
	Line int
	// Title is SUMMARY, Description DESCRIPTION, Location LOCATION, all
	// unescaped, valid UTF-8 and free of control characters other than tab
	// and newline.
	Title, Description, Location string
	// URL is the URL property and ConferenceURL the RFC 7986 CONFERENCE URI
	// (else Google's X-GOOGLE-CONFERENCE or Teams'
	// X-MICROSOFT-SKYPETEAMSMEETINGURL); both are absolute URLs or "" (a
	// value that is not an absolute URL is dropped).
	URL, ConferenceURL string
	// Start and End are instants, in the event's zone. End is exclusive and
	// comes from DTEND, else DTSTART+DURATION, else RFC 5545's defaults: one
	// day for an all-day event, zero length (End == Start) for a timed one.
	// A zero-length event blocks no time; the caller decides whether to
	// give it a length. DURATION's days and weeks are nominal (same wall
	// clock on a later day), its hours, minutes and seconds exact.
	Start, End time.Time
	// TimeZone is the IANA zone the event is planned in: the TZID of
	// DTSTART resolved (IANA names as is, Windows names through CLDR, custom
	// VTIMEZONE blocks by their rules or offset), the DefaultZone's name for
	// floating times and all-day dates, and "" for UTC.
	TimeZone string
	// AllDay is true when DTSTART is a DATE; Start and End are then
	// midnights in TimeZone.
	AllDay bool
	// RRule is the recurrence rule, upper-cased, without "RRULE:". UNTIL is
	// rewritten to RFC 5545's form when the source wrote it otherwise: a UTC
	// date-time for a timed event (a floating UNTIL is read in the event's
	// zone; a date-only UNTIL includes that whole local day), a date for an
	// all-day event. Rules rrule-go cannot parse are errors.
	RRule string
	// ExDates and RDates are the start instants of removed and added
	// occurrences (all EXDATE and RDATE lines and values, PERIOD starts for
	// RDATE;VALUE=PERIOD), in file order. A DATE given for a timed event
	// means that day at DTSTART's wall-clock time.
	ExDates, RDates []time.Time
	// Overrides are the RECURRENCE-ID instances: a cancelled one
	// (STATUS:CANCELLED) has Cancelled set and zero Start and End; any other
	// has its own Start and End, and Title when its SUMMARY differs from the
	// master's. Other changed properties of an instance are not carried.
	Overrides []Override
	// Status is "tentative", "confirmed" or "cancelled"; "confirmed" when
	// STATUS is absent or has another value.
	Status string
	// Sequence and LastModified decide whether a re-import changes a stored
	// event (zero when absent).
	Sequence     int
	LastModified time.Time
	// Attendees are the ATTENDEE properties with a mailto: (or bare) e-mail
	// address; others (rooms given as URNs, "invalid:nomail") are left out.
	// ROLE maps to Role and Required: CHAIR to lead (required),
	// REQ-PARTICIPANT or none to participant (required), OPT-PARTICIPANT
	// to participant (optional), NON-PARTICIPANT to audience. PARTSTAT maps
	// to RSVP: ACCEPTED accepted, DECLINED and DELEGATED declined,
	// TENTATIVE tentative, anything else needs_action.
	Attendees []Attendee
	// Organizer is ORGANIZER (Name and Email only); nil when absent or
	// without an e-mail address.
	Organizer *Attendee
	// Reminders are how long before Start each VALARM fires, as in
	// Event.Reminders: TRIGGER:-PT15M is 15 minutes, a trigger after the
	// start is negative. RELATED=END triggers are moved by the event's
	// length, absolute (VALUE=DATE-TIME) triggers measured from Start.
	// Duplicates are removed; file order is kept.
	Reminders []time.Duration
	// Categories are all CATEGORIES values, unescaped, without duplicates.
	Categories []string
}

// ImportError is one problem tied to a line of the input. ParseImport
// returns it as its error for problems with the file as a whole, and lists
// it in ImportResult.Errors for problems with one event. The JSON form is
// the import report's.
type ImportError struct {
	// Line is the 1-based line of the input where the problem is (the first
	// physical line of a folded content line); 0 when the input as a whole is
	// at fault (empty, or not UTF-8).
	Line int `json:"line"`
	// UID is the event's UID for an event-level problem, else "".
	UID string `json:"uid,omitempty"`
	// Message says what is wrong and with which value.
	Message string `json:"message"`
}

// Error reads "calendar: import: line 12: UID "x": DTSTART ...".
func (e *ImportError) Error() string {
	s := "calendar: import: "
	if e.Line > 0 {
		s += fmt.Sprintf("line %d: ", e.Line)
	}
	if e.UID != "" {
		s += fmt.Sprintf("UID %q: ", e.UID)
	}
	return s + e.Message
}

// Skipped is a component deliberately not imported, reported so that the
// planner sees why an event of the file is missing: a duplicate UID that lost
// to a newer version, a RECURRENCE-ID instance without its recurring event.
// VTODO, VJOURNAL and unknown components are ignored without a Skipped entry.
type Skipped struct {
	UID    string `json:"uid"`
	Reason string `json:"reason"`
}

// ImportResult is what ParseImport found in a structurally sound input.
type ImportResult struct {
	// Name is the calendar's X-WR-CALNAME (else RFC 7986 NAME), e.g. to
	// name a subscription.
	Name string
	// TimeZone is the calendar's X-WR-TIMEZONE as written; when it names a
	// zone, floating times and all-day dates are read in it, else in
	// ImportOptions.DefaultZone.
	TimeZone string
	// Events are the imported events in the order of their BEGIN:VEVENT.
	Events []ImportedEvent
	// Skipped lists what was left out on purpose.
	Skipped []Skipped
	// Errors lists the events left out because something in them (or in
	// one of their RECURRENCE-ID instances) could not be read; every
	// component sharing a failed UID is left out. The caller decides
	// between all-or-nothing and partial import.
	Errors []ImportError
	// Warnings list what was read in a way the planner should know about
	// but that changes no event's meaning beyond what RFC 5545 says: a line
	// of an unused property that could not be read and was skipped, an
	// empty RRULE, a RECURRENCE-ID that adds an instance, a series split by
	// RANGE=THISANDFUTURE, a custom VTIMEZONE no IANA zone matches exactly.
	Warnings []ImportError
}

// ParseImport reads a whole iCalendar stream (one or more VCALENDAR objects;
// CRLF, LF or CR line ends; folded lines; an optional UTF-8 byte order mark)
// and returns its events as plain structs. It is the pure half of the import
// and subscription features: bytes in, data and line-numbered problems out,
// no HTTP and no storage.
//
// Problems with the file as a whole (no VCALENDAR, BEGIN/END not balanced, a
// line that is not a content line, a limit exceeded) make it return a nil
// result and an *ImportError with the line. Problems inside an event (an
// unreadable DTSTART, a bad RRULE, an unknown TZID) are listed in
// ImportResult.Errors and leave that event out. A read error from r is
// returned wrapped, as is an unusable DefaultZone. ParseImport keeps no state
// between calls and is safe to call concurrently.
func ParseImport(r io.Reader, opts ImportOptions) (*ImportResult, error) {
	limits := opts.Limits
	def := DefaultImportLimits()
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = def.MaxBytes
	}
	if limits.MaxEvents <= 0 {
		limits.MaxEvents = def.MaxEvents
	}
	if limits.MaxAttendees <= 0 {
		limits.MaxAttendees = def.MaxAttendees
	}
	defZone, err := defaultZone(opts.DefaultZone)
	if err != nil {
		return nil, err
	}
	data, err := readLimited(r, limits.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("calendar: import: reading the input: %w", err)
	}
	if int64(len(data)) > limits.MaxBytes {
		return nil, &ImportError{Line: countLines(data[:limits.MaxBytes]), Message: fmt.Sprintf("the input is larger than the limit of %d bytes (MaxBytes)", limits.MaxBytes)}
	}
	tree, ierr := readTree(data, limits.MaxEvents)
	if ierr != nil {
		return nil, ierr
	}
	res := &ImportResult{}
	for _, p := range tree.calProps {
		switch p.name {
		case "X-WR-CALNAME":
			res.Name = cleanText(p.value, true)
		case "NAME":
			if res.Name == "" {
				res.Name = cleanText(p.value, true)
			}
		case "X-WR-TIMEZONE":
			if res.TimeZone == "" {
				res.TimeZone = cleanText(p.value, false)
			}
		}
	}
	zones := newZoneResolver(tree.timezones, defZone)
	if res.TimeZone != "" {
		// The calendar's own zone (Google, Apple and Outlook.com write it)
		// is where its author reads floating times; it wins over the
		// caller's default. One that names no zone is only reported.
		if z, ok := zones.named(res.TimeZone); ok {
			zones.def = z
		} else {
			res.Warnings = append(res.Warnings, ImportError{Message: fmt.Sprintf("X-WR-TIMEZONE %s names no known time zone; floating times are read in %s", quoteShort(res.TimeZone), zoneLabel(defZone))})
		}
	}
	conv := &converter{zones: zones, rules: map[ruleKey]ruleResult{}, maxAttendees: limits.MaxAttendees}
	parsed := make([]parsedEvent, len(tree.events)) // one allocation for all
	for i, comp := range tree.events {
		conv.convert(comp, &parsed[i])
	}
	res.Warnings = append(tree.warnings, res.Warnings...)
	res.Warnings = append(res.Warnings, zones.warnings...)
	conv.merge(parsed, res)
	return res, nil
}

// defaultZone validates ImportOptions.DefaultZone and names it.
func defaultZone(loc *time.Location) (resolvedZone, error) {
	if loc == nil || loc == time.UTC {
		return resolvedZone{loc: time.UTC}, nil
	}
	name := loc.String()
	if name == "Local" {
		return resolvedZone{}, errors.New("calendar: import: ImportOptions.DefaultZone is time.Local; pass an IANA zone from time.LoadLocation so that events carry its name")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return resolvedZone{}, fmt.Errorf("calendar: import: ImportOptions.DefaultZone %q is not an IANA time zone: %w", name, err)
	}
	if isUTCName(name) {
		return resolvedZone{loc: time.UTC}, nil
	}
	return resolvedZone{name: name, loc: loc}, nil
}

// readLimited reads at most max+1 bytes of r into a string, without the
// copies of io.ReadAll's growth when r tells its length (bytes.Reader,
// strings.Reader, bytes.Buffer), and without converting bytes to a string
// afterwards: every value ParseImport returns is a substring of it or of an
// unfolded line.
func readLimited(r io.Reader, max int64) (string, error) {
	var sb strings.Builder
	if l, ok := r.(interface{ Len() int }); ok {
		sb.Grow(int(min(int64(l.Len()), max+1)))
	}
	if _, err := io.Copy(&sb, io.LimitReader(r, max+1)); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// countLines is the number of the line that follows data: the line on
// which the first byte past the limit is.
func countLines(data string) int {
	return strings.Count(data, "\n") + 1
}

// zoneLabel names a zone for a message.
func zoneLabel(z resolvedZone) string {
	if z.name == "" {
		return "UTC"
	}
	return z.name
}
