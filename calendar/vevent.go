package calendar

import (
	"github.com/jointcal/jointcal/isoduration"
	"strconv"
	"time"
)

// writeEvent writes the master VEVENT of p and one VEVENT per override.
func (lw *lineWriter) writeEvent(p *prepared, stamp []byte) {
	ev := p.ev
	lw.writeEventHead(p, stamp)
	lw.writeTime("DTSTART", p, ev.Start)
	if p.hasEnd {
		lw.writeTime("DTEND", p, ev.End)
	}
	if p.rrule != "" {
		lw.begin("RRULE:")
		lw.buf = append(lw.buf, p.rrule...)
		lw.end()
	}
	for _, t := range p.rDates {
		lw.writeTime("RDATE", p, t)
	}
	for _, t := range p.exDates {
		lw.writeTime("EXDATE", p, t)
	}
	lw.writeEventBody(p, ev.Title, p.status)

	for _, o := range p.overrides {
		lw.writeEventHead(p, stamp)
		lw.writeTime("RECURRENCE-ID", p, o.RecurrenceID)
		start, end, hasEnd := p.overrideTimes(o)
		lw.writeTime("DTSTART", p, start)
		if hasEnd {
			lw.writeTime("DTEND", p, end)
		}
		title, status := ev.Title, p.status
		if o.Title != "" {
			title = o.Title
		}
		if o.Cancelled {
			status = "CANCELLED"
		}
		lw.writeEventBody(p, title, status)
	}
}

// writeEventHead opens a VEVENT with the properties the master and its
// overrides share: identity and change management.
func (lw *lineWriter) writeEventHead(p *prepared, stamp []byte) {
	ev := p.ev
	lw.literal("BEGIN:VEVENT")
	lw.text("UID:", ev.UID)
	lw.begin("DTSTAMP:")
	lw.buf = append(lw.buf, stamp...)
	lw.end()
	if !ev.Created.IsZero() {
		lw.begin("CREATED:")
		lw.buf = appendUTCDateTime(lw.buf, ev.Created)
		lw.end()
	}
	if !ev.LastModified.IsZero() {
		lw.begin("LAST-MODIFIED:")
		lw.buf = appendUTCDateTime(lw.buf, ev.LastModified)
		lw.end()
	}
	lw.begin("SEQUENCE:")
	lw.buf = strconv.AppendInt(lw.buf, int64(ev.Sequence), 10)
	lw.end()
}

// writeEventBody writes the descriptive properties, the alarms (none on a
// cancelled event or instance) and END:VEVENT; title and status may differ
// for an override.
func (lw *lineWriter) writeEventBody(p *prepared, title, status string) {
	ev := p.ev
	if title != "" {
		lw.text("SUMMARY:", title)
	}
	if p.description != "" || p.descriptionURL {
		lw.begin("DESCRIPTION:")
		lw.buf = appendText(lw.buf, p.description)
		if p.descriptionURL {
			if p.description != "" {
				lw.buf = append(lw.buf, `\n\n`...)
			}
			lw.buf = appendText(lw.buf, p.url)
		}
		lw.end()
	}
	if ev.Location != "" {
		lw.text("LOCATION:", ev.Location)
	}
	if status != "" {
		lw.literal("STATUS:" + status)
	}
	lw.literal("CLASS:" + p.class)
	lw.writeCategories(ev.Categories)
	if p.organizer != nil {
		lw.writeAttendee("ORGANIZER", p.organizer)
	}
	for i := range p.attendees {
		lw.writeAttendee("ATTENDEE", &p.attendees[i])
	}
	if p.url != "" {
		lw.raw("URL:", p.url)
	}
	if p.conference != "" {
		lw.raw("CONFERENCE;VALUE=URI;FEATURE=VIDEO:", p.conference)
	}
	for _, r := range ev.Reminders {
		if status == "CANCELLED" {
			break // no client should ring for something that will not happen
		}
		lw.literal("BEGIN:VALARM")
		lw.literal("ACTION:DISPLAY")
		lw.text("DESCRIPTION:", title)
		lw.begin("TRIGGER:")
		lw.buf = isoduration.Append(lw.buf, -r)
		lw.end()
		lw.literal("END:VALARM")
	}
	lw.literal("END:VEVENT")
}

// writeTime writes a DATE or DATE-TIME property in the event's form: a date
// for an all-day event, TZID-qualified local time in a zone, or UTC with Z.
func (lw *lineWriter) writeTime(name string, p *prepared, t time.Time) {
	lw.begin(name)
	switch {
	case p.ev.AllDay:
		lw.buf = append(lw.buf, ";VALUE=DATE:"...)
		lw.buf = appendDate(lw.buf, t.In(p.dateLoc))
	case p.zone != nil:
		lw.buf = append(lw.buf, p.zone.param...)
		lw.buf = appendLocalDateTime(lw.buf, t.In(p.zone.loc))
	default:
		lw.buf = append(lw.buf, ':')
		lw.buf = appendUTCDateTime(lw.buf, t)
	}
	lw.end()
}

// writeCategories writes one CATEGORIES property, skipping empty names.
func (lw *lineWriter) writeCategories(cats []string) {
	n := 0
	for _, c := range cats {
		if c == "" {
			continue
		}
		if n == 0 {
			lw.begin("CATEGORIES:")
		} else {
			lw.buf = append(lw.buf, ',')
		}
		lw.buf = appendText(lw.buf, c)
		n++
	}
	if n > 0 {
		lw.end()
	}
}

// writeAttendee writes an ORGANIZER or ATTENDEE property.
func (lw *lineWriter) writeAttendee(name string, a *attendeeLine) {
	lw.begin(name)
	if a.name != "" {
		lw.buf = append(lw.buf, ";CN="...)
		lw.buf = appendParamValue(lw.buf, a.name)
	}
	if name == "ATTENDEE" {
		lw.buf = append(lw.buf, ";ROLE="...)
		lw.buf = append(lw.buf, a.role...)
		lw.buf = append(lw.buf, ";PARTSTAT="...)
		lw.buf = append(lw.buf, a.partStat...)
		if a.rsvp {
			lw.buf = append(lw.buf, ";RSVP=TRUE"...)
		}
	}
	lw.buf = append(lw.buf, ":mailto:"...)
	lw.buf = appendRaw(lw.buf, a.email)
	lw.end()
}
