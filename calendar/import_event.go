package calendar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// This file turns one VEVENT component into an ImportedEvent (or an
// error tied to the line at fault). Properties that decide when the event
// happens, how it recurs, how it is versioned and when it alarms are read
// strictly: if one cannot be read the event is left out rather than imported
// wrong. Descriptive properties are read leniently: an unusable URL is
// dropped, an attendee without an e-mail address left out.

// parsedEvent is one converted VEVENT: a master or a RECURRENCE-ID
// instance, or the error that keeps it (and its UID) out.
type parsedEvent struct {
	uid          string
	line         int
	ev           ImportedEvent
	zone         resolvedZone
	instance     bool      // has RECURRENCE-ID
	recurrenceID time.Time // the instance's original start, read in its own terms
	// ridValue and ridProp are RECURRENCE-ID as written: merge reads it
	// again in the series' value type and zone (RFC 5545 §3.8.4.4), which
	// the instance alone cannot know.
	ridValue timeValue
	ridProp  *contentLine
	// thisAndFuture is RECURRENCE-ID;RANGE=THISANDFUTURE: the instance
	// changes the series from there on.
	thisAndFuture bool
	err           *ImportError
	warnings      []ImportError
	// wallStart is DTSTART's wall-clock reading as written (carried as
	// UTC), which may not exist in the zone (a spring-forward gap).
	wallStart time.Time
}

// converter converts the VEVENTs of one ParseImport call. It caches
// checkRRule per rule text, as the renderer does: files repeat rules.
type converter struct {
	zones        *zoneResolver
	rules        map[ruleKey]ruleResult
	maxAttendees int
	seen         map[string]struct{} // attendee addresses of the event being read, reused
}

// rule is checkRRule, cached.
func (c *converter) rule(text string, allDay bool) (string, error) {
	k := ruleKey{text, allDay}
	r, ok := c.rules[k]
	if !ok {
		r.value, r.opt, r.err = checkRRule(text, allDay)
		c.rules[k] = r
	}
	return r.value, r.err
}

// eventReader holds what one conversion needs while reading properties.
type eventReader struct {
	c      *converter
	pe     *parsedEvent
	zone   resolvedZone // the event's zone, from DTSTART
	allDay bool
	start  timeValue // DTSTART as written
}

// warn records a problem the event is imported despite.
func (er *eventReader) warn(line int, format string, args ...any) {
	er.pe.warnings = append(er.pe.warnings, ImportError{Line: line, UID: er.pe.uid, Message: fmt.Sprintf(format, args...)})
}

// fail records the event's error; the first one wins.
func (er *eventReader) fail(line int, format string, args ...any) {
	if er.pe.err == nil {
		er.pe.err = &ImportError{Line: line, UID: er.pe.uid, Message: fmt.Sprintf(format, args...)}
	}
}

// eventProps are the VEVENT properties read strictly, by name.
type eventProps struct {
	uid, dtstart, dtend, duration, rrule, recurrenceID *contentLine
	sequence, lastModified, status, summary, exrule    *contentLine
	// cdoAllDay is Exchange's X-MICROSOFT-CDO-ALLDAYEVENT:TRUE.
	cdoAllDay       bool
	exdates, rdates []*contentLine
}

// slot returns where a property that must not repeat is kept, or nil for
// other properties: a second value would leave the event's time, identity or
// version ambiguous.
func (ep *eventProps) slot(name string) **contentLine {
	switch name {
	case "UID":
		return &ep.uid
	case "DTSTART":
		return &ep.dtstart
	case "DTEND":
		return &ep.dtend
	case "DURATION":
		return &ep.duration
	case "RRULE":
		return &ep.rrule
	case "RECURRENCE-ID":
		return &ep.recurrenceID
	case "SEQUENCE":
		return &ep.sequence
	}
	return nil
}

// convert reads one VEVENT into pe.
func (c *converter) convert(comp *component, pe *parsedEvent) {
	pe.line = comp.line
	er := &eventReader{c: c, pe: pe}
	ev := &pe.ev
	ev.Line = comp.line
	var ep eventProps
	var dupe *contentLine
	for i := range comp.props {
		p := &comp.props[i]
		if slot := ep.slot(p.name); slot != nil {
			// A repeated identical line (an RRULE written twice) has one
			// meaning; only differing repeats are ambiguous.
			if *slot != nil && dupe == nil && !sameLine(*slot, p) {
				dupe = p
			}
			if *slot == nil {
				*slot = p
			}
			continue
		}
		switch p.name {
		case "LAST-MODIFIED":
			if ep.lastModified == nil {
				ep.lastModified = p
			}
		case "STATUS":
			if ep.status == nil {
				ep.status = p
			}
		case "SUMMARY":
			if ep.summary == nil {
				ep.summary = p
			}
		case "X-MICROSOFT-CDO-ALLDAYEVENT":
			ep.cdoAllDay = strings.EqualFold(strings.TrimSpace(p.value), "TRUE")
		case "EXRULE":
			if ep.exrule == nil {
				ep.exrule = p
			}
		case "EXDATE":
			ep.exdates = append(ep.exdates, p)
		case "RDATE":
			ep.rdates = append(ep.rdates, p)
		}
	}
	pe.uid = eventUID(&ep)
	ev.UID = pe.uid
	if comp.bad != nil {
		er.fail(comp.bad.Line, "%s", comp.bad.Message)
		return
	}
	if dupe != nil {
		er.fail(dupe.line, "%s appears twice in one VEVENT (first at line %d)", dupe.name, (*ep.slot(dupe.name)).line)
		return
	}
	if ep.dtstart == nil {
		er.fail(comp.line, "VEVENT has no DTSTART")
		return
	}
	if !er.readTimes(&ep) {
		return
	}
	if !er.readRecurrence(&ep) {
		return
	}
	if !er.readVersion(&ep) {
		return
	}
	if ep.summary != nil {
		ev.Title = cleanText(ep.summary.value, true)
	}
	ev.Status = "confirmed"
	if ep.status != nil {
		switch upperASCII(strings.TrimSpace(ep.status.value)) {
		case "TENTATIVE":
			ev.Status = "tentative"
		case "CANCELLED", "CANCELED":
			ev.Status = "cancelled"
		}
	}
	er.readDescriptive(comp)
	er.readAlarms(comp)
}

// sameLine reports whether two content lines say the same thing.
func sameLine(a, b *contentLine) bool {
	if strings.TrimSpace(a.value) != strings.TrimSpace(b.value) || len(a.params) != len(b.params) {
		return false
	}
	for i := range a.params {
		if a.params[i] != b.params[i] {
			return false
		}
	}
	return true
}

// zoneParam returns DTSTART's (or another time property's) TZID; an empty
// TZID= names no zone, so it counts as absent.
func zoneParam(p *contentLine) (string, bool) {
	tzid, ok := p.param("TZID")
	if ok && strings.TrimSpace(tzid) == "" {
		return "", false
	}
	return tzid, ok
}

// eventUID is the UID, or a synthetic one derived from DTSTART and SUMMARY
// as written, so that re-importing the same file finds the same events.
func eventUID(ep *eventProps) string {
	if ep.uid != nil {
		if uid := strings.TrimSpace(cleanText(ep.uid.value, true)); uid != "" {
			return uid
		}
	}
	h := sha256.New()
	if ep.dtstart != nil {
		tzid, _ := ep.dtstart.param("TZID")
		h.Write([]byte(tzid + "\x00" + ep.dtstart.value + "\x00"))
	}
	if ep.summary != nil {
		h.Write([]byte(ep.summary.value))
	}
	return "synthetic-" + hex.EncodeToString(h.Sum(nil)[:16]) + "@import.invalid"
}

// readTimes reads DTSTART, the event's zone, DTEND or DURATION, and
// RECURRENCE-ID.
func (er *eventReader) readTimes(ep *eventProps) bool {
	ev := &er.pe.ev
	p := ep.dtstart
	tv, err := parseTimeValue(p.value)
	if err != nil {
		er.fail(p.line, "DTSTART: %v", err)
		return false
	}
	if ep.cdoAllDay && !tv.isDate && !tv.utc && cdoMidnights(tv, ep.dtend) {
		// Exchange and Outlook write some whole-day events as midnight to
		// midnight in a zone, flagged X-MICROSOFT-CDO-ALLDAYEVENT; they are
		// the days of that zone, as Outlook shows them.
		tv.isDate = true
	}
	er.start, er.allDay = tv, tv.isDate
	er.pe.wallStart = tv.wall
	switch tzid, hasTZ := zoneParam(p); {
	case tv.utc:
		er.zone = resolvedZone{loc: time.UTC}
	case hasTZ:
		z, err := er.c.zones.resolve(tzid, tv.wall.Year())
		if err != nil {
			er.fail(p.line, "DTSTART: %v", err)
			return false
		}
		er.zone = z
	default:
		er.zone = er.c.zones.def
	}
	er.pe.zone = er.zone
	ev.TimeZone, ev.AllDay = er.zone.name, er.allDay
	if tv.isDate {
		ev.Start = time.Date(tv.wall.Year(), tv.wall.Month(), tv.wall.Day(), 0, 0, 0, 0, er.zone.loc)
	} else if tv.utc {
		ev.Start = tv.wall.In(er.zone.loc)
	} else {
		ev.Start = er.zone.instant(tv.wall)
	}
	if !er.checkYear(p, "DTSTART", ev.Start) {
		return false
	}

	switch {
	case ep.dtend != nil:
		end, ok := er.instant(ep.dtend, "DTEND", ep.dtend.value)
		if !ok {
			return false
		}
		switch {
		case er.allDay && end.Equal(ev.Start):
			end = ev.Start.AddDate(0, 0, 1) // a one-day event written with DTEND = DTSTART
		case end.Before(ev.Start):
			er.fail(ep.dtend.line, "DTEND %s is before DTSTART %s", strings.TrimSpace(ep.dtend.value), strings.TrimSpace(p.value))
			return false
		}
		ev.End = end
	case ep.duration != nil:
		nd, err := parseNominalDuration(ep.duration.value)
		if err != nil {
			er.fail(ep.duration.line, "DURATION: %v", err)
			return false
		}
		if nd.days < 0 || nd.exact < 0 {
			er.fail(ep.duration.line, "DURATION %s is negative", quoteShort(ep.duration.value))
			return false
		}
		if er.allDay {
			// An all-day event lasts whole days; a time part rounds up.
			days := nd.days + int((nd.exact+24*time.Hour-1)/(24*time.Hour))
			ev.End = ev.Start.AddDate(0, 0, max(days, 1))
		} else {
			ev.End = nd.addTo(ev.Start)
		}
	case er.allDay:
		ev.End = ev.Start.AddDate(0, 0, 1)
	default:
		ev.End = ev.Start
	}
	endProp := ep.dtend
	if endProp == nil {
		endProp = ep.duration
	}
	if !er.checkYear(endProp, "end", ev.End) {
		return false
	}

	if p := ep.recurrenceID; p != nil {
		if rng, ok := p.param("RANGE"); ok {
			if !strings.EqualFold(strings.TrimSpace(rng), "THISANDFUTURE") {
				er.fail(p.line, "RECURRENCE-ID;RANGE=%s is not a range RFC 5545 defines (only THISANDFUTURE)", quoteShort(rng))
				return false
			}
			er.pe.thisAndFuture = true
		}
		rv, err := parseTimeValue(p.value)
		if err != nil {
			er.fail(p.line, "RECURRENCE-ID: %v", err)
			return false
		}
		rid, ok := er.instant(p, "RECURRENCE-ID", p.value)
		if !ok {
			return false
		}
		er.pe.instance, er.pe.recurrenceID = true, rid
		er.pe.ridValue, er.pe.ridProp = rv, p
	}
	return true
}

// cdoMidnights reports whether a timed DTSTART and its DTEND (if any) are
// both local midnights, as Exchange writes its flagged whole-day events.
func cdoMidnights(start timeValue, dtend *contentLine) bool {
	midnight := func(tv timeValue) bool {
		h, m, s := tv.wall.Clock()
		return h == 0 && m == 0 && s == 0
	}
	if !midnight(start) {
		return false
	}
	if dtend == nil {
		return true
	}
	end, err := parseTimeValue(dtend.value)
	return err == nil && !end.utc && (end.isDate || midnight(end))
}

// checkYear keeps instants inside the years an iCalendar date can hold, so
// that the event can be rendered again, and away from 0001-01-01T00:00:00Z,
// which is Go's zero time and means "absent" to every caller. p may be nil.
func (er *eventReader) checkYear(p *contentLine, field string, t time.Time) bool {
	err := checkYear(field, t.In(er.zone.loc))
	if err == nil && t.IsZero() {
		err = fmt.Errorf("%s is 0001-01-01T00:00:00Z, which cannot be told apart from no time at all", field)
	}
	if err != nil {
		line := er.pe.line
		if p != nil {
			line = p.line
		}
		er.fail(line, "%v", err)
		return false
	}
	return true
}

// instant reads one DATE or DATE-TIME value of property p in the event's
// terms: for an all-day event, the midnight (in the event's zone) of the
// value's date; for a timed event, the value's instant, where a DATE means
// that day at DTSTART's wall-clock time and a floating time is read in the
// event's zone (producers omit TZID on EXDATE and the like when it is the
// event's). The result is in the event's zone.
func (er *eventReader) instant(p *contentLine, field, value string) (time.Time, bool) {
	tv, err := parseTimeValue(value)
	if err != nil {
		er.fail(p.line, "%s: %v", field, err)
		return time.Time{}, false
	}
	loc := er.zone.loc
	var t time.Time
	switch tzid, hasTZ := zoneParam(p); {
	case tv.isDate:
		w := tv.wall
		if !er.allDay {
			h, m, s := er.start.wall.Clock()
			w = w.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
		}
		t = er.zone.instant(w)
	case tv.utc:
		t = tv.wall
	case hasTZ:
		z, err := er.c.zones.resolve(tzid, tv.wall.Year())
		if err != nil {
			er.fail(p.line, "%s: %v", field, err)
			return time.Time{}, false
		}
		t = z.instant(tv.wall)
	default:
		t = er.zone.instant(tv.wall)
	}
	t = t.In(loc)
	if er.allDay && !tv.isDate {
		y, m, d := t.Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	if !er.checkYear(p, field, t) {
		return time.Time{}, false
	}
	return t, true
}

// readRecurrence reads RRULE, EXDATE and RDATE.
func (er *eventReader) readRecurrence(ep *eventProps) bool {
	ev := &er.pe.ev
	if p := ep.exrule; p != nil {
		er.fail(p.line, "EXRULE (removed from the standard by RFC 5545) is not supported; list the removed instances with EXDATE")
		return false
	}
	if p := ep.rrule; p != nil && strings.TrimPrefix(upperASCII(strings.TrimSpace(p.value)), "RRULE:") == "" {
		er.warn(p.line, "RRULE is empty; the event is read as not recurring")
	} else if p != nil {
		rule := upperASCII(strings.TrimSpace(p.value))
		rule = strings.TrimPrefix(rule, "RRULE:")
		rule = er.normalizeUntil(rule)
		value, err := er.c.rule(rule, er.allDay)
		if err != nil {
			// checkRRule says `RRule "<normalised rule>": why`; quote the
			// rule as the file wrote it instead.
			why := err.Error()
			if i := strings.Index(why, `": `); i >= 0 {
				why = why[i+3:]
			}
			er.fail(p.line, "RRULE %s: %s", quoteShort(strings.TrimSpace(p.value)), why)
			return false
		}
		ev.RRule = value
	}
	if er.zone.approx && ev.RRule != "" && !er.allDay {
		er.expandInBlock(ep.rrule.line)
	}
	for _, list := range []struct {
		name  string
		props []*contentLine
		out   *[]time.Time
	}{{"EXDATE", ep.exdates, &ev.ExDates}, {"RDATE", ep.rdates, &ev.RDates}} {
		for _, p := range list.props {
			for _, v := range strings.Split(p.value, ",") {
				if strings.TrimSpace(v) == "" {
					continue
				}
				v, _, _ = strings.Cut(v, "/") // RDATE;VALUE=PERIOD: the period's start
				t, ok := er.instant(p, list.name, v)
				if !ok {
					return false
				}
				*list.out = append(*list.out, t)
			}
		}
	}
	return true
}

// normalizeUntil rewrites the rule's UNTIL in RFC 5545's form for the event
// (see ImportedEvent.RRule); a value it cannot read is left for checkRRule
// to report.
func (er *eventReader) normalizeUntil(rule string) string {
	parts := strings.Split(rule, ";")
	for i, part := range parts {
		val, ok := strings.CutPrefix(part, "UNTIL=")
		if !ok {
			continue
		}
		tv, err := parseTimeValue(val)
		if err != nil {
			return rule
		}
		loc := er.zone.loc
		switch {
		case er.allDay && tv.isDate, !er.allDay && tv.utc:
			return rule
		case er.allDay:
			t := tv.wall
			if !tv.utc {
				t = er.zone.instant(tv.wall)
			}
			parts[i] = "UNTIL=" + string(appendDate(nil, t.In(loc)))
		case tv.isDate:
			last := er.zone.instant(tv.wall.Add(24*time.Hour - time.Second))
			parts[i] = "UNTIL=" + string(appendUTCDateTime(nil, last))
		default:
			parts[i] = "UNTIL=" + string(appendUTCDateTime(nil, er.zone.instant(tv.wall)))
		}
		return strings.Join(parts, ";")
	}
	return rule
}

// readVersion reads SEQUENCE and LAST-MODIFIED, which decide between
// duplicates here and between stored and re-imported versions later.
func (er *eventReader) readVersion(ep *eventProps) bool {
	ev := &er.pe.ev
	if p := ep.sequence; p != nil {
		n, err := strconv.Atoi(strings.TrimSpace(p.value))
		if err != nil || n < 0 {
			er.fail(p.line, "SEQUENCE %s is not a non-negative integer", quoteShort(p.value))
			return false
		}
		ev.Sequence = n
	}
	if p := ep.lastModified; p != nil {
		tv, err := parseTimeValue(p.value)
		if err != nil {
			er.fail(p.line, "LAST-MODIFIED: %v", err)
			return false
		}
		ev.LastModified = tv.wall // UTC by RFC 5545; a floating value is taken as UTC
	}
	return true
}

// readDescriptive reads the properties that describe the event; none of
// them can make it fail.
func (er *eventReader) readDescriptive(comp *component) {
	ev := &er.pe.ev
	var conference, googleMeet, teams string
	attendees := 0
	for i := range comp.props {
		if comp.props[i].name == "ATTENDEE" {
			attendees++
		}
	}
	if attendees > 0 {
		ev.Attendees = make([]Attendee, 0, min(attendees, er.c.maxAttendees))
		if er.c.seen == nil {
			er.c.seen = map[string]struct{}{}
		}
		clear(er.c.seen)
	}
	dropped := 0
	for i := range comp.props {
		p := &comp.props[i]
		switch p.name {
		case "DESCRIPTION":
			if ev.Description == "" {
				ev.Description = cleanText(p.value, true)
			}
		case "LOCATION":
			if ev.Location == "" {
				ev.Location = cleanText(p.value, true)
			}
		case "URL":
			if ev.URL == "" {
				ev.URL = importURL(p.value)
			}
		case "CONFERENCE":
			if conference == "" {
				conference = importURL(p.value)
			}
		case "X-GOOGLE-CONFERENCE":
			if googleMeet == "" {
				googleMeet = importURL(p.value)
			}
		case "X-MICROSOFT-SKYPETEAMSMEETINGURL":
			if teams == "" {
				teams = importURL(p.value)
			}
		case "CATEGORIES":
			for _, c := range splitTextList(p.value) {
				c = strings.TrimSpace(cleanText(c, true))
				if c != "" && !slices.Contains(ev.Categories, c) {
					ev.Categories = append(ev.Categories, c)
				}
			}
		case "ATTENDEE":
			// De-duplicated by address in a set: a list scan was quadratic
			// (100,000 attendees took a minute of CPU).
			a, ok := importAttendee(p)
			if !ok {
				continue
			}
			key := strings.ToLower(a.Email)
			if _, dup := er.c.seen[key]; dup {
				continue
			}
			if len(ev.Attendees) >= er.c.maxAttendees {
				dropped++
				continue
			}
			er.c.seen[key] = struct{}{}
			ev.Attendees = append(ev.Attendees, a)
		case "ORGANIZER":
			if a, ok := importAttendee(p); ok && ev.Organizer == nil {
				ev.Organizer = &Attendee{Name: a.Name, Email: a.Email}
			}
		}
	}
	if dropped > 0 {
		er.warn(comp.line, "the event has more than %d attendees (MaxAttendees); %d more are left out", er.c.maxAttendees, dropped)
	}
	switch {
	case conference != "":
		ev.ConferenceURL = conference
	case googleMeet != "":
		ev.ConferenceURL = googleMeet
	default:
		ev.ConferenceURL = teams
	}
}

// importURL returns v if it is an absolute URL Render would accept, else "".
func importURL(v string) string {
	v = strings.TrimSpace(cleanText(v, false))
	u, err := absoluteURL(v)
	if err != nil || strings.ContainsAny(u, " \t\n") {
		return ""
	}
	return u
}

// maxBlockInstances bounds the occurrences a series in a zone no IANA zone
// matches is turned into.
const maxBlockInstances = 1000

// expandInBlock keeps a custom VTIMEZONE's own rules for a recurring event
// that no IANA zone can carry: the rule is walked in the block's wall clock
// and each start becomes an RDATE at the instant the block gives it; the
// RRULE is dropped. A series longer than maxBlockInstances is cut, with a
// warning.
func (er *eventReader) expandInBlock(line int) {
	ev := &er.pe.ev
	opt := er.c.ruleOpt(ev.RRule, false)
	if opt == nil {
		return
	}
	o := *opt
	o.Dtstart = er.start.wall
	if !o.Until.IsZero() {
		o.Until = o.Until.Add(time.Duration(er.zone.custom.offsetAt(o.Until)) * time.Second)
	}
	// A barren rule would make rrule-go search to year 9999.
	if bound := er.start.wall.AddDate(50, 0, 0); o.Until.IsZero() || bound.Before(o.Until) {
		o.Until = bound
	}
	rr, err := rrule.NewRRule(o)
	if err != nil {
		return
	}
	next := rr.Iterator()
	n := 0
	for {
		w, ok := next()
		if !ok {
			break
		}
		if n == maxBlockInstances {
			er.warn(line, "the series in a time zone no IANA zone matches is imported as its first %d occurrences", maxBlockInstances)
			break
		}
		if t := er.zone.instant(w); !t.Equal(ev.Start) {
			ev.RDates = append(ev.RDates, t)
		}
		n++
	}
	ev.RRule = ""
}
