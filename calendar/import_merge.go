package calendar

import (
	"fmt"
	"slices"
	"time"
)

// This file groups the converted VEVENTs by UID: it picks the master among
// duplicates, folds the RECURRENCE-ID instances into it as Overrides, and
// reports what it leaves out.

// uidGroup is every VEVENT of one UID.
type uidGroup struct {
	masters, instances []*parsedEvent
	failed             bool
}

// merge fills res.Events, res.Skipped and res.Errors from the converted
// events, which are in file order.
func (c *converter) merge(events []parsedEvent, res *ImportResult) {
	groups := make(map[string]*uidGroup, len(events))
	order := make([]string, 0, len(events))
	slab := make([]uidGroup, 0, len(events))
	for i := range events {
		pe := &events[i]
		g, ok := groups[pe.uid]
		if !ok {
			slab = append(slab, uidGroup{})
			g = &slab[len(slab)-1]
			groups[pe.uid] = g
			order = append(order, pe.uid)
		}
		switch {
		case pe.err != nil:
			res.Errors = append(res.Errors, *pe.err)
			g.failed = true
			continue
		case pe.instance:
			g.instances = append(g.instances, pe)
		default:
			g.masters = append(g.masters, pe)
		}
		res.Warnings = append(res.Warnings, pe.warnings...)
	}
	res.Events = make([]ImportedEvent, 0, len(order))
	for _, uid := range order {
		g := groups[uid]
		if g.failed {
			continue // its error is reported; importing the rest of it would be wrong
		}
		if len(g.masters) == 0 {
			res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: fmt.Sprintf(
				"RECURRENCE-ID instance at line %d%s without its recurring event (no VEVENT with this UID and no RECURRENCE-ID)",
				g.instances[0].line, andMore(len(g.instances)-1))})
			continue
		}
		master := newest(g.masters, func(loser, winner *parsedEvent) {
			res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: "duplicate VEVENT at line " + versionText(loser) +
				" superseded by the one at line " + versionText(winner)})
		})
		ev := master.ev
		if len(g.instances) == 0 {
			c.startInGap(&ev, master)
			res.Events = append(res.Events, ev)
			continue
		}
		recurring := ev.RRule != "" || len(ev.RDates) > 0
		byID := map[time.Time][]*parsedEvent{}
		var ids []time.Time
		for _, in := range g.instances {
			// RFC 5545 §3.8.4.4: RECURRENCE-ID is written in the value type
			// and zone of the series' DTSTART; read it in those terms, not
			// in the instance's own (an all-day instance of a timed series).
			in.recurrenceID = c.recurrenceID(master, in)
			id := in.recurrenceID.UTC()
			if _, ok := byID[id]; !ok {
				ids = append(ids, id)
			}
			byID[id] = append(byID[id], in)
		}
		slices.SortFunc(ids, func(a, b time.Time) int { return a.Compare(b) })
		var splits []*parsedEvent
		for _, id := range ids {
			in := newest(byID[id], func(loser, winner *parsedEvent) {
				res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: "duplicate RECURRENCE-ID instance at line " + versionText(loser) +
					" superseded by the one at line " + versionText(winner)})
			})
			if !recurring {
				res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: fmt.Sprintf(
					"RECURRENCE-ID instance at line %d belongs to the VEVENT at line %d, which has no RRULE or RDATE", in.line, master.line)})
				continue
			}
			if in.thisAndFuture {
				splits = append(splits, in)
				continue
			}
			o, ok := override(&ev, master.zone, in)
			if !ok {
				res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: fmt.Sprintf(
					"RECURRENCE-ID instance at line %d falls outside the years 0000-9999 in the event's time zone (or at the zero time)", in.line)})
				continue
			}
			if i := indexTime(ev.ExDates, o.RecurrenceID, ev.AllDay); i >= 0 {
				// Excluded and overridden at once (a stale instance left
				// behind, or a stale EXDATE): the newer of the two wins,
				// by SEQUENCE then LAST-MODIFIED; on a tie the exclusion,
				// which is what RFC 5545 computes first.
				if !newer(&in.ev, &master.ev) {
					res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: fmt.Sprintf(
						"RECURRENCE-ID instance at line %d changes an occurrence the series excludes with EXDATE, and is not newer than the series (SEQUENCE, LAST-MODIFIED): the exclusion wins", in.line)})
					continue
				}
				ev.ExDates = slices.Delete(slices.Clone(ev.ExDates), i, i+1)
				res.Warnings = append(res.Warnings, ImportError{Line: in.line, UID: uid, Message: "this instance is newer than the EXDATE that excludes its occurrence: the instance wins and the EXDATE is dropped"})
			}
			if !o.Cancelled && !c.seriesHas(&ev, master.zone, o.RecurrenceID) {
				// Not an occurrence of the series: an extra instance, as
				// calendar clients read it; RDATE makes it one.
				ev.RDates = append(ev.RDates, o.RecurrenceID)
				res.Warnings = append(res.Warnings, ImportError{Line: in.line, UID: uid, Message: fmt.Sprintf(
					"RECURRENCE-ID %s is not an occurrence of the series; imported as an extra instance", o.RecurrenceID.Format(time.RFC3339))})
			}
			ev.Overrides = append(ev.Overrides, o)
		}
		c.startInGap(&ev, master)
		res.Events = append(res.Events, ev)
		tail := &res.Events[len(res.Events)-1]
		for _, in := range splits {
			next, warn := c.split(tail, master.zone, in)
			res.Warnings = append(res.Warnings, warn)
			if next == nil {
				continue
			}
			res.Events = append(res.Events, *next)
			tail = &res.Events[len(res.Events)-1]
		}
	}
	slices.SortStableFunc(res.Events, func(a, b ImportedEvent) int { return a.Line - b.Line })
}

// override builds the Override an instance makes of the master ev; ok is
// false when the instance falls outside the years iCalendar can write in the
// master's zone.
func override(ev *ImportedEvent, zone resolvedZone, in *parsedEvent) (o Override, ok bool) {
	loc := zone.loc
	o.RecurrenceID = in.recurrenceID.In(loc)
	switch {
	case in.ev.Status == "cancelled":
		o.Cancelled = true
	case ev.AllDay:
		// The series is made of days: keep the days the instance covers,
		// as dated where it was written.
		o.Start, o.End = dayIn(in.ev.Start, loc), dayIn(in.ev.End, loc)
		if !in.ev.AllDay && !wallOf(in.ev.End).Equal(wallOf(dayIn(in.ev.End, in.ev.End.Location()))) {
			o.End = o.End.AddDate(0, 0, 1) // a timed end inside a day takes that day
		}
		if !o.End.After(o.Start) {
			o.End = o.Start.AddDate(0, 0, 1)
		}
	case in.ev.AllDay:
		// An all-day instance of a timed series covers its days in the
		// series' zone.
		o.Start, o.End = dayIn(in.ev.Start, loc), dayIn(in.ev.End, loc)
	default:
		o.Start, o.End = in.ev.Start.In(loc), in.ev.End.In(loc)
	}
	if ev.AllDay {
		o.RecurrenceID = dayIn(in.recurrenceID, loc)
	}
	if in.ev.Title != ev.Title {
		o.Title = in.ev.Title
	}
	if o.RecurrenceID.IsZero() || checkYear("", o.RecurrenceID.In(loc)) != nil {
		return o, false
	}
	for _, t := range [...]time.Time{o.Start, o.End} {
		if !o.Cancelled && (t.IsZero() || checkYear("", t.In(loc)) != nil) {
			return o, false
		}
	}
	return o, true
}

// dayIn is midnight in loc of the calendar date t has in its own location.
func dayIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// newest returns the version with the highest SEQUENCE, then the latest
// LAST-MODIFIED, then the first in the file; lost is called for each other.
func newest(versions []*parsedEvent, lost func(loser, winner *parsedEvent)) *parsedEvent {
	best := versions[0]
	for _, v := range versions[1:] {
		if v.ev.Sequence > best.ev.Sequence || v.ev.Sequence == best.ev.Sequence && v.ev.LastModified.After(best.ev.LastModified) {
			best = v
		}
	}
	for _, v := range versions {
		if v != best {
			lost(v, best)
		}
	}
	return best
}

// versionText describes a version for a Skipped reason.
func versionText(pe *parsedEvent) string {
	s := fmt.Sprintf("%d (SEQUENCE %d", pe.line, pe.ev.Sequence)
	if !pe.ev.LastModified.IsZero() {
		s += ", LAST-MODIFIED " + pe.ev.LastModified.UTC().Format(time.RFC3339)
	}
	return s + ")"
}

// andMore is " and 2 more" for n = 2.
func andMore(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and %d more", n)
}

// recurrenceID reads an instance's RECURRENCE-ID as the series reads its
// starts: for an all-day series the date written (a date-time given in
// UTC counts by its date in the series' zone); for a timed series an
// instant, where a DATE means that day at the series' time of day and a
// floating time is read in the series' zone. If the TZID cannot be
// resolved the instance's own reading stands (it resolved it already).
func (c *converter) recurrenceID(master, in *parsedEvent) time.Time {
	tv, p := in.ridValue, in.ridProp
	z := master.zone
	loc := z.loc
	if master.ev.AllDay {
		w := tv.wall
		if tv.utc {
			w = wallOf(tv.wall.In(loc))
		}
		return time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, loc)
	}
	switch tzid, hasTZ := zoneParam(p); {
	case tv.isDate:
		sw := wallOf(master.ev.Start.In(loc))
		h, m, s := sw.Clock()
		return z.instant(time.Date(tv.wall.Year(), tv.wall.Month(), tv.wall.Day(), h, m, s, 0, time.UTC))
	case tv.utc:
		return tv.wall.In(loc)
	case hasTZ:
		rz, err := c.zones.resolve(tzid, tv.wall.Year())
		if err != nil {
			return in.recurrenceID
		}
		return rz.instant(tv.wall).In(loc)
	default:
		return z.instant(tv.wall)
	}
}

// newer reports whether version a is newer than b: a higher SEQUENCE, or
// the same SEQUENCE and a later LAST-MODIFIED.
func newer(a, b *ImportedEvent) bool {
	return a.Sequence > b.Sequence || a.Sequence == b.Sequence && a.LastModified.After(b.LastModified)
}

// indexTime is the index of t in ts (by date for all-day events), or -1.
func indexTime(ts []time.Time, t time.Time, allDay bool) int {
	for i, x := range ts {
		if allDay && sameDate(x, t) || !allDay && x.Equal(t) {
			return i
		}
	}
	return -1
}

// sameDate reports whether two midnights name the same calendar date in
// their own locations.
func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
