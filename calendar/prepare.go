package calendar

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// zone is a TZID used by the feed, loaded once per Render.
type zone struct {
	name  string
	loc   *time.Location
	param string // ";TZID=<name>:" ready to append after a property name
	span  span   // instants the VTIMEZONE must cover
	used  bool   // some timed event references the TZID
}

// attendeeLine is an Attendee with its RFC 5545 parameters resolved.
type attendeeLine struct {
	name, email, role, partStat string
	rsvp                        bool
}

// prepared is an Event validated and resolved for writing: everything that
// can fail fails here, before a byte is written, so Render never emits half a
// feed because of bad input.
type prepared struct {
	ev          *Event
	zone        *zone          // nil: UTC with Z (or, all-day, dates in UTC)
	dateLoc     *time.Location // location whose calendar dates all-day values use
	rrule       string
	rruleOpt    *rrule.ROption // parsed rrule, for the zone span
	duration    time.Duration  // End - Start, or 0 without End
	hasEnd      bool
	status      string
	class       string
	description string // without the URL, see descriptionURL
	// descriptionURL: the URL is appended to the description (after a blank
	// line, or alone when there is no description).
	descriptionURL bool
	url            string
	conference     string
	exDates        []time.Time
	rDates         []time.Time
	overrides      []Override
	organizer      *attendeeLine
	attendees      []attendeeLine
}

// preparer resolves events for one Render call. It caches what many events
// share (loaded zones, parsed recurrence rules) and keeps all attendees in
// one slab, because per-event allocations dominated the feed profile.
type preparer struct {
	zones     map[string]*zone
	rules     map[ruleKey]ruleResult
	attendees []attendeeLine
}

// ruleKey and ruleResult cache checkRRule per distinct rule text.
type ruleKey struct {
	text   string
	allDay bool
}

type ruleResult struct {
	value string
	opt   *rrule.ROption
	err   error
}

func newPreparer(events int) *preparer {
	return &preparer{
		zones:     map[string]*zone{},
		rules:     map[ruleKey]ruleResult{},
		attendees: make([]attendeeLine, 0, 4*events),
	}
}

// rule is checkRRule, cached.
func (pr *preparer) rule(text string, allDay bool) (string, *rrule.ROption, error) {
	k := ruleKey{text, allDay}
	r, ok := pr.rules[k]
	if !ok {
		r.value, r.opt, r.err = checkRRule(text, allDay)
		pr.rules[k] = r
	}
	return r.value, r.opt, r.err
}

// zoneFor returns the cached zone for an IANA name; nil for UTC.
func (pr *preparer) zoneFor(name string) (*zone, error) {
	if name == "" || name == "UTC" {
		return nil, nil
	}
	if z, ok := pr.zones[name]; ok {
		return z, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("loading time zone %q: %w", name, err)
	}
	z := &zone{name: name, loc: loc, param: ";TZID=" + string(appendParamValue(nil, name)) + ":"}
	pr.zones[name] = z
	return z, nil
}

// prepare validates one event; errors name the event's UID and the field.
func (pr *preparer) prepare(ev *Event) (prepared, error) {
	p, err := pr.resolve(ev)
	if err != nil {
		return p, fmt.Errorf("calendar: event %q: %v", ev.UID, err)
	}
	return p, nil
}

// resolve runs the checks of prepare in the order their errors are
// reported, each step filling its own fields of the prepared event.
func (pr *preparer) resolve(ev *Event) (p prepared, err error) {
	p.ev = ev
	if err = checkIdentity(ev); err != nil {
		return p, err
	}
	if p.zone, p.dateLoc, err = pr.eventZone(ev.TimeZone); err != nil {
		return p, err
	}
	if p.duration, p.hasEnd, err = eventSpan(ev, p.dateLoc); err != nil {
		return p, err
	}
	if p.status, p.class, err = rfcStatusClass(ev); err != nil {
		return p, err
	}
	if ev.RRule != "" {
		if p.rrule, p.rruleOpt, err = pr.rule(ev.RRule, ev.AllDay); err != nil {
			return p, err
		}
	}
	if p.url, p.conference, err = eventLinks(ev); err != nil {
		return p, err
	}
	p.description, p.descriptionURL = describe(ev, p.url)
	if p.exDates, p.rDates, err = extraDates(ev, p.dateLoc); err != nil {
		return p, err
	}
	if p.overrides, err = p.sortedOverrides(ev.Overrides); err != nil {
		return p, err
	}
	if p.organizer, p.attendees, err = pr.people(ev); err != nil {
		return p, err
	}
	return p, checkReminders(ev.Reminders)
}

// checkIdentity refuses an event calendars could not match or place: no
// UID to match updates on, or no start.
func checkIdentity(ev *Event) error {
	if ev.UID == "" {
		return errors.New("empty UID")
	}
	if ev.Start.IsZero() {
		return errors.New("zero Start")
	}
	return nil
}

// eventZone is the event's zone (nil for UTC) and the location whose
// calendar dates its all-day values use.
func (pr *preparer) eventZone(name string) (*zone, *time.Location, error) {
	z, err := pr.zoneFor(name)
	if err != nil {
		return nil, nil, err
	}
	if z != nil {
		return z, z.loc, nil
	}
	return nil, time.UTC, nil
}

// eventSpan checks that every time of the event can be written (years
// 0000-9999) and that End follows Start (on a later date for an all-day
// event, whose End is exclusive), and returns the duration.
func eventSpan(ev *Event, dateLoc *time.Location) (time.Duration, bool, error) {
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"Start", ev.Start.In(dateLoc)}, {"End", ev.End.In(dateLoc)}, {"Created", ev.Created.UTC()}, {"LastModified", ev.LastModified.UTC()}} {
		if !f.t.IsZero() {
			if err := checkYear(f.name, f.t); err != nil {
				return 0, false, err
			}
		}
	}
	if ev.End.IsZero() {
		return 0, false, nil
	}
	duration := ev.End.Sub(ev.Start)
	if ev.AllDay {
		if !dateOf(ev.End, dateLoc).After(dateOf(ev.Start, dateLoc)) {
			return 0, false, fmt.Errorf("all-day End %v is not on a later date than Start %v in %s (End is exclusive)", ev.End, ev.Start, dateLoc)
		}
	} else if duration < 0 {
		return 0, false, fmt.Errorf("End %v is before Start %v", ev.End, ev.Start)
	}
	return duration, true, nil
}

// rfcStatusClass is the event's STATUS and CLASS as RFC 5545 spells them.
func rfcStatusClass(ev *Event) (status, class string, err error) {
	if status, err = rfcStatus(ev.Status); err != nil {
		return "", "", err
	}
	if class, err = rfcClass(ev.Class); err != nil {
		return "", "", err
	}
	return status, class, nil
}

// eventLinks checks that URL and ConferenceURL are absolute URLs a
// calendar client can open.
func eventLinks(ev *Event) (link, conference string, err error) {
	if link, err = absoluteURL(ev.URL); err != nil {
		return "", "", fmt.Errorf("URL: %v", err)
	}
	if conference, err = absoluteURL(ev.ConferenceURL); err != nil {
		return "", "", fmt.Errorf("ConferenceURL: %v", err)
	}
	return link, conference, nil
}

// describe is the description to write and whether link must be appended
// to it: clients that ignore the URL property still show the link, but a
// description that already carries it does not get it twice.
func describe(ev *Event, link string) (string, bool) {
	appendURL := link != "" && !strings.Contains(ev.Description, link) && !strings.Contains(ev.Description, ev.URL)
	if appendURL {
		return strings.TrimRight(ev.Description, "\r\n"), true
	}
	return ev.Description, false
}

// extraDates are the excluded and added instances, sorted and checked.
func extraDates(ev *Event, dateLoc *time.Location) (exDates, rDates []time.Time, err error) {
	if exDates, err = sortedTimes("ExDates", ev.ExDates, dateLoc); err != nil {
		return nil, nil, err
	}
	if rDates, err = sortedTimes("RDates", ev.RDates, dateLoc); err != nil {
		return nil, nil, err
	}
	return exDates, rDates, nil
}

// sortedOverrides checks the overridden instances and returns them in
// RecurrenceID order. Only a recurring event has instances to override, and
// each instance may be overridden once. p's rule, dates and span must be
// resolved already.
func (p *prepared) sortedOverrides(list []Override) ([]Override, error) {
	if len(list) == 0 {
		return nil, nil
	}
	if p.rrule == "" && len(p.rDates) == 0 {
		return nil, errors.New("has Overrides but no RRule or RDates: only a recurring event has instances to override")
	}
	sorted := slices.Clone(list)
	slices.SortFunc(sorted, func(a, b Override) int { return a.RecurrenceID.Compare(b.RecurrenceID) })
	for i, o := range sorted {
		if o.RecurrenceID.IsZero() {
			return nil, errors.New("override with zero RecurrenceID")
		}
		if i > 0 && o.RecurrenceID.Equal(sorted[i-1].RecurrenceID) {
			return nil, fmt.Errorf("two overrides for the instance %v", o.RecurrenceID)
		}
		if err := p.checkOverride(o); err != nil {
			return nil, err
		}
	}
	return sorted, nil
}

// checkOverride checks that one override's times can be written and that
// its end (its own, or the master's duration) follows its start.
func (p *prepared) checkOverride(o Override) error {
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"RecurrenceID", o.RecurrenceID}, {"Start", o.Start}, {"End", o.End}} {
		if !f.t.IsZero() {
			if err := checkYear("override "+f.name, f.t.In(p.dateLoc)); err != nil {
				return err
			}
		}
	}
	start, end, hasEnd := p.overrideTimes(o)
	if hasEnd && (end.Before(start) || p.ev.AllDay && !dateOf(end, p.dateLoc).After(dateOf(start, p.dateLoc))) {
		return fmt.Errorf("override %v: End %v is not after Start %v", o.RecurrenceID, end, start)
	}
	return nil
}

// people resolves the organizer and the attendees with an address; the
// attendees live in the preparer's slab (see preparer).
func (pr *preparer) people(ev *Event) (*attendeeLine, []attendeeLine, error) {
	var organizer *attendeeLine
	if ev.Organizer != nil && ev.Organizer.Email != "" {
		a, err := resolveAttendee(*ev.Organizer)
		if err != nil {
			return nil, nil, fmt.Errorf("Organizer: %v", err)
		}
		organizer = &a
	}
	first := len(pr.attendees)
	for i, at := range ev.Attendees {
		if at.Email == "" {
			continue
		}
		a, err := resolveAttendee(at)
		if err != nil {
			return nil, nil, fmt.Errorf("Attendees[%d]: %v", i, err)
		}
		pr.attendees = append(pr.attendees, a)
	}
	return organizer, pr.attendees[first:len(pr.attendees):len(pr.attendees)], nil
}

// checkReminders refuses a reminder offset below one second (other than
// zero, "at the start"), which an iCalendar duration cannot express.
func checkReminders(reminders []time.Duration) error {
	for _, r := range reminders {
		if r > -time.Second && r < time.Second && r != 0 {
			return fmt.Errorf("reminder %v is shorter than the one second an iCalendar duration can express", r)
		}
	}
	return nil
}

// overrideTimes is the instance's start and end: the override's own, or the
// original start and the master's duration.
func (p *prepared) overrideTimes(o Override) (start, end time.Time, hasEnd bool) {
	start = o.Start
	if start.IsZero() {
		start = o.RecurrenceID
	}
	switch {
	case !o.End.IsZero():
		return start, o.End, true
	case p.hasEnd:
		return start, start.Add(p.duration), true
	}
	return start, time.Time{}, false
}

// dateOf is t's calendar date in loc, as midnight UTC (comparable).
func dateOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sortedTimes returns a sorted, de-duplicated copy of ts.
func sortedTimes(field string, ts []time.Time, loc *time.Location) ([]time.Time, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	out := slices.Clone(ts)
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	out = slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
	for _, t := range out {
		if t.IsZero() {
			return nil, fmt.Errorf("%s holds a zero time", field)
		}
		if err := checkYear(field, t.In(loc)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rfcStatus maps jointcal's status to the VEVENT STATUS value.
func rfcStatus(s string) (string, error) {
	switch strings.ToLower(s) {
	case "":
		return "", nil
	case "tentative":
		return "TENTATIVE", nil
	case "confirmed":
		return "CONFIRMED", nil
	case "cancelled", "canceled":
		return "CANCELLED", nil
	}
	return "", fmt.Errorf("unknown Status %q (want tentative, confirmed or cancelled)", s)
}

// rfcClass validates CLASS, defaulting to PUBLIC.
func rfcClass(s string) (string, error) {
	switch c := strings.ToUpper(s); c {
	case "":
		return "PUBLIC", nil
	case "PUBLIC", "PRIVATE", "CONFIDENTIAL":
		return c, nil
	}
	return "", fmt.Errorf("unknown Class %q (want PUBLIC, PRIVATE or CONFIDENTIAL)", s)
}

// checkRRule validates a recurrence rule value and returns it trimmed. Beyond
// what rrule-go parses, it enforces RFC 5545's UNTIL form (a UTC date-time
// for a timed event, a date for an all-day one) and rejects rrule-go's
// non-standard DTSTART and BYEASTER parts, which clients would choke on.
func checkRRule(s string, allDay bool) (string, *rrule.ROption, error) {
	v := strings.TrimSpace(s)
	if len(v) >= 6 && strings.EqualFold(v[:6], "RRULE:") {
		v = v[6:]
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f {
			return "", nil, fmt.Errorf("RRule %q contains %q", s, c)
		}
	}
	opt, err := rrule.StrToROption(v)
	if err != nil {
		return "", nil, fmt.Errorf("RRule %q: %v", s, err)
	}
	if _, err := rrule.NewRRule(*opt); err != nil {
		return "", nil, fmt.Errorf("RRule %q: %v", s, err)
	}
	for _, part := range strings.Split(v, ";") {
		key, val, _ := strings.Cut(part, "=")
		switch key {
		case "DTSTART", "BYEASTER":
			return "", nil, fmt.Errorf("RRule %q: %s is not an RFC 5545 rule part", s, key)
		case "UNTIL":
			if allDay && len(val) != 8 {
				return "", nil, fmt.Errorf("RRule %q: UNTIL of an all-day event must be a date (YYYYMMDD)", s)
			}
			if !allDay && (len(val) != 16 || val[15] != 'Z') {
				return "", nil, fmt.Errorf("RRule %q: UNTIL of a timed event must be a UTC date-time (YYYYMMDDTHHMMSSZ)", s)
			}
		}
	}
	return v, opt, nil
}

// absoluteURL validates a URI property value and returns it normalised. A
// value made only of RFC 3986 characters after a scheme is already a valid
// URI and is returned as is (net/url showed in the feed profile); anything
// else goes through net/url, which percent-encodes what needs it.
func absoluteURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if plainURI(s) {
		return s, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if !u.IsAbs() {
		return "", fmt.Errorf("%q is not an absolute URL", s)
	}
	return u.String(), nil
}

// plainURI reports whether s is scheme ":" followed only by RFC 3986
// unreserved, reserved and "%" characters, with well-formed percent escapes.
func plainURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < colon; i++ {
		if c := s[i]; !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	for i := colon + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c), c >= '0' && c <= '9', strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

// resolveAttendee maps an Attendee to its RFC 5545 parameters.
func resolveAttendee(a Attendee) (attendeeLine, error) {
	if err := checkEmail(a.Email); err != nil {
		return attendeeLine{}, err
	}
	role, err := rfcRole(a.Role, a.Required)
	if err != nil {
		return attendeeLine{}, err
	}
	ps, err := rfcPartStat(a.RSVP)
	if err != nil {
		return attendeeLine{}, err
	}
	return attendeeLine{name: a.Name, email: a.Email, role: role, partStat: ps, rsvp: ps == "NEEDS-ACTION"}, nil
}
