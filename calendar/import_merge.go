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
func merge(events []parsedEvent, res *ImportResult) {
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
		case pe.instance:
			g.instances = append(g.instances, pe)
		default:
			g.masters = append(g.masters, pe)
		}
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
			res.Events = append(res.Events, ev)
			continue
		}
		recurring := ev.RRule != "" || len(ev.RDates) > 0
		byID := map[time.Time][]*parsedEvent{}
		var ids []time.Time
		for _, in := range g.instances {
			id := in.recurrenceID.UTC()
			if _, ok := byID[id]; !ok {
				ids = append(ids, id)
			}
			byID[id] = append(byID[id], in)
		}
		slices.SortFunc(ids, func(a, b time.Time) int { return a.Compare(b) })
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
			o, ok := override(&ev, master.zone, in)
			if !ok {
				res.Skipped = append(res.Skipped, Skipped{UID: uid, Reason: fmt.Sprintf(
					"RECURRENCE-ID instance at line %d falls outside the years 0000-9999 in the event's time zone (or at the zero time)", in.line)})
				continue
			}
			ev.Overrides = append(ev.Overrides, o)
		}
		res.Events = append(res.Events, ev)
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
