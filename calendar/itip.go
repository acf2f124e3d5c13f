package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reply is an attendee's iTIP message to the organizer (RFC 5546), as
// calendar clients e-mail it when someone presses Accept, Tentative or
// Decline (METHOD:REPLY), or proposes another time (METHOD:COUNTER).
type Reply struct {
	// Method is "REPLY" or "COUNTER".
	Method string
	// UID and Sequence name the event and the version answered.
	UID      string
	Sequence int
	// RecurrenceID is the original start of the one occurrence answered;
	// zero when the answer is for the whole event.
	RecurrenceID time.Time
	// Attendee is who answers: their address and, as RSVP, their answer
	// (accepted, tentative, declined; needs_action when PARTSTAT says
	// nothing usable).
	Attendee Attendee
	// Comment is the attendee's note (COMMENT), unescaped.
	Comment string
	// Start and End are the time a COUNTER proposes (zero otherwise).
	Start, End time.Time
}

// ParseReply reads an iTIP REPLY or COUNTER: the calendar's METHOD and its
// first VEVENT with an ATTENDEE. Time zones are resolved as the import
// resolves them (IANA names, Windows names as Outlook writes them, the
// message's own VTIMEZONE blocks), since the occurrence answered must be
// matched to the instant jointcal sent.
func ParseReply(data string) (*Reply, error) {
	if len(data) > 1<<20 {
		return nil, fmt.Errorf("calendar: reply: %d bytes is more than an iTIP reply holds", len(data))
	}
	t, ierr := readTree(data, 100)
	if ierr != nil {
		return nil, fmt.Errorf("calendar: reply: %w", ierr)
	}
	r := &Reply{}
	for _, p := range t.calProps {
		if p.name == "METHOD" {
			r.Method = upperASCII(strings.TrimSpace(p.value))
		}
	}
	if r.Method != "REPLY" && r.Method != "COUNTER" {
		return nil, fmt.Errorf("calendar: reply: METHOD %q is not REPLY or COUNTER", r.Method)
	}
	utc := resolvedZone{loc: time.UTC}
	er := &eventReader{c: &converter{zones: newZoneResolver(t.timezones, utc)}, pe: &parsedEvent{}, zone: utc}
	for _, ev := range t.events {
		var att *Attendee
		var dtstart, dtend, rid *contentLine
		for i := range ev.props {
			p := &ev.props[i]
			switch p.name {
			case "UID":
				r.UID = strings.TrimSpace(cleanText(p.value, true))
			case "SEQUENCE":
				r.Sequence, _ = strconv.Atoi(strings.TrimSpace(p.value))
			case "ATTENDEE":
				if a, ok := importAttendee(p); ok && att == nil {
					att = &a
				}
			case "COMMENT":
				r.Comment = strings.TrimSpace(cleanText(p.value, true))
			case "RECURRENCE-ID":
				rid = p
			case "DTSTART":
				dtstart = p
			case "DTEND":
				dtend = p
			}
		}
		if att == nil {
			continue
		}
		if r.UID == "" {
			return nil, fmt.Errorf("calendar: reply: line %d: the VEVENT has no UID", ev.line)
		}
		r.Attendee = *att
		if dtstart != nil {
			if tv, err := parseTimeValue(dtstart.value); err == nil {
				er.start, er.allDay = tv, tv.isDate
			}
		}
		for _, x := range []struct {
			p   *contentLine
			dst *time.Time
		}{{rid, &r.RecurrenceID}, {dtstart, &r.Start}, {dtend, &r.End}} {
			if x.p == nil || (x.p != rid && r.Method != "COUNTER") {
				continue
			}
			if v, ok := er.instant(x.p, x.p.name, x.p.value); ok {
				*x.dst = v.UTC()
			}
		}
		if er.pe.err != nil {
			return nil, fmt.Errorf("calendar: reply: %w", er.pe.err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("calendar: reply: no VEVENT with an ATTENDEE")
}
