package calendar

import (
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
	p := prepared{ev: ev}
	fail := func(format string, args ...any) (prepared, error) {
		return p, fmt.Errorf("calendar: event %q: %s", ev.UID, fmt.Sprintf(format, args...))
	}
	if ev.UID == "" {
		return fail("empty UID")
	}
	if ev.Start.IsZero() {
		return fail("zero Start")
	}
	z, err := pr.zoneFor(ev.TimeZone)
	if err != nil {
		return fail("%v", err)
	}
	p.zone = z
	p.dateLoc = time.UTC
	if z != nil {
		p.dateLoc = z.loc
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"Start", ev.Start.In(p.dateLoc)}, {"End", ev.End.In(p.dateLoc)}, {"Created", ev.Created.UTC()}, {"LastModified", ev.LastModified.UTC()}} {
		if !f.t.IsZero() {
			if err := checkYear(f.name, f.t); err != nil {
				return fail("%v", err)
			}
		}
	}
	if !ev.End.IsZero() {
		p.hasEnd = true
		p.duration = ev.End.Sub(ev.Start)
		if ev.AllDay {
			if !dateOf(ev.End, p.dateLoc).After(dateOf(ev.Start, p.dateLoc)) {
				return fail("all-day End %v is not on a later date than Start %v in %s (End is exclusive)", ev.End, ev.Start, p.dateLoc)
			}
		} else if p.duration < 0 {
			return fail("End %v is before Start %v", ev.End, ev.Start)
		}
	}

	if p.status, err = rfcStatus(ev.Status); err != nil {
		return fail("%v", err)
	}
	if p.class, err = rfcClass(ev.Class); err != nil {
		return fail("%v", err)
	}
	if ev.RRule != "" {
		if p.rrule, p.rruleOpt, err = pr.rule(ev.RRule, ev.AllDay); err != nil {
			return fail("%v", err)
		}
	}
	if p.url, err = absoluteURL(ev.URL); err != nil {
		return fail("URL: %v", err)
	}
	if p.conference, err = absoluteURL(ev.ConferenceURL); err != nil {
		return fail("ConferenceURL: %v", err)
	}
	p.description = ev.Description
	p.descriptionURL = p.url != "" && !strings.Contains(ev.Description, p.url) && !strings.Contains(ev.Description, ev.URL)
	if p.descriptionURL {
		p.description = strings.TrimRight(p.description, "\r\n")
	}

	if p.exDates, err = sortedTimes("ExDates", ev.ExDates, p.dateLoc); err != nil {
		return fail("%v", err)
	}
	if p.rDates, err = sortedTimes("RDates", ev.RDates, p.dateLoc); err != nil {
		return fail("%v", err)
	}
	if len(ev.Overrides) > 0 {
		if p.rrule == "" && len(p.rDates) == 0 {
			return fail("has Overrides but no RRule or RDates: only a recurring event has instances to override")
		}
		p.overrides = slices.Clone(ev.Overrides)
		slices.SortFunc(p.overrides, func(a, b Override) int { return a.RecurrenceID.Compare(b.RecurrenceID) })
		for i, o := range p.overrides {
			if o.RecurrenceID.IsZero() {
				return fail("override with zero RecurrenceID")
			}
			if i > 0 && o.RecurrenceID.Equal(p.overrides[i-1].RecurrenceID) {
				return fail("two overrides for the instance %v", o.RecurrenceID)
			}
			for _, f := range []struct {
				name string
				t    time.Time
			}{{"RecurrenceID", o.RecurrenceID}, {"Start", o.Start}, {"End", o.End}} {
				if !f.t.IsZero() {
					if err := checkYear("override "+f.name, f.t.In(p.dateLoc)); err != nil {
						return fail("%v", err)
					}
				}
			}
			start, end, hasEnd := p.overrideTimes(o)
			if hasEnd && (end.Before(start) || ev.AllDay && !dateOf(end, p.dateLoc).After(dateOf(start, p.dateLoc))) {
				return fail("override %v: End %v is not after Start %v", o.RecurrenceID, end, start)
			}
		}
	}

	if ev.Organizer != nil && ev.Organizer.Email != "" {
		a, err := resolveAttendee(*ev.Organizer)
		if err != nil {
			return fail("Organizer: %v", err)
		}
		p.organizer = &a
	}
	first := len(pr.attendees)
	for i, at := range ev.Attendees {
		if at.Email == "" {
			continue
		}
		a, err := resolveAttendee(at)
		if err != nil {
			return fail("Attendees[%d]: %v", i, err)
		}
		pr.attendees = append(pr.attendees, a)
	}
	p.attendees = pr.attendees[first:len(pr.attendees):len(pr.attendees)]
	for _, r := range ev.Reminders {
		if r > -time.Second && r < time.Second && r != 0 {
			return fail("reminder %v is shorter than the one second an iCalendar duration can express", r)
		}
	}
	return p, nil
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
