package calendar

import (
	"bufio"
	"fmt"
	"github.com/jointcal/jointcal/isoduration"
	"io"
	"slices"
	"strings"
)

// Render writes the whole VCALENDAR for a feed (or an invitation): the
// calendar properties, one VTIMEZONE per TZID the events use, then the events
// sorted by UID with each recurring event's overrides after it in
// RECURRENCE-ID order. The output is deterministic for the same input, uses
// CRLF line ends, folds lines at 75 octets without splitting a UTF-8
// character and escapes TEXT values, so the api package can cache it by feed
// version and serve it as is.
//
// Every event is validated before anything is written: an error names the
// event's UID and the field at fault and leaves w untouched. Errors from w
// are returned as they come. Render keeps no state between calls and is safe
// to call concurrently.
func Render(w io.Writer, cal Calendar, events []Event) error {
	cal, err := cal.normalized()
	if err != nil {
		return err
	}
	pr := newPreparer(len(events))
	preps := make([]prepared, len(events))
	for i := range events {
		if preps[i], err = pr.prepare(&events[i]); err != nil {
			return err
		}
	}
	slices.SortFunc(preps, func(a, b prepared) int { return strings.Compare(a.ev.UID, b.ev.UID) })
	for i := 1; i < len(preps); i++ {
		if preps[i].ev.UID == preps[i-1].ev.UID {
			return fmt.Errorf("calendar: two events share the UID %q", preps[i].ev.UID)
		}
	}
	for i := range preps {
		p := &preps[i]
		if p.zone != nil && !p.ev.AllDay {
			p.zone.used = true
			p.zone.span.merge(p.zoneSpan(p.rruleOpt))
		}
	}
	var tzids []string
	for name, z := range pr.zones {
		if z.used {
			tzids = append(tzids, name)
		}
	}
	slices.Sort(tzids)

	bw := bufio.NewWriterSize(w, 64<<10)
	lw := &lineWriter{w: bw, buf: make([]byte, 0, 512)}
	lw.writeHeader(&cal)
	for _, name := range tzids {
		z := pr.zones[name]
		if err := lw.writeComponent(buildVTimezone(name, z.loc, z.span.from, z.span.to)); err != nil {
			return err
		}
	}
	st := newStamper(cal)
	scratch := make([]byte, 0, stampLen)
	for i := range preps {
		lw.writeEvent(&preps[i], st.of(preps[i].ev.LastModified, scratch))
	}
	lw.literal("END:VCALENDAR")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("calendar: writing the calendar: %w", err)
	}
	return nil
}

// writeHeader writes BEGIN:VCALENDAR and the calendar properties.
func (lw *lineWriter) writeHeader(cal *Calendar) {
	lw.literal("BEGIN:VCALENDAR")
	lw.literal("VERSION:2.0")
	lw.text("PRODID:", cal.ProdID)
	lw.literal("CALSCALE:GREGORIAN")
	lw.literal("METHOD:" + cal.Method)
	if cal.Name != "" {
		lw.text("NAME:", cal.Name)
		lw.text("X-WR-CALNAME:", cal.Name)
	}
	refresh := isoduration.Format(cal.RefreshInterval)
	lw.literal("REFRESH-INTERVAL;VALUE=DURATION:" + refresh)
	lw.literal("X-PUBLISHED-TTL:" + refresh)
}
