package calendar

import (
	"time"

	"github.com/teambition/rrule-go"
)

// Bounds on how far recurrence carries a zone's VTIMEZONE span past the
// instants an event actually writes. An open-ended rule reaches one year
// (the "last event end + 1 year"); a rule with UNTIL or COUNT reaches
// its last occurrence but never more than recurrenceCap, so that a rule
// running to 2099 does not make the feed carry 75 years of transitions.
// Regular DST rules are open-ended RRULEs in the VTIMEZONE anyway, so only
// irregular zones lose explicit transitions beyond the cap.
const (
	unboundedReach = 1  // years
	recurrenceCap  = 10 // years
)

// span is the range of instants a VTIMEZONE must describe.
type span struct {
	from, to time.Time
	set      bool
}

func (s *span) add(t time.Time) {
	if t.IsZero() {
		return
	}
	if !s.set {
		s.from, s.to, s.set = t, t, true
		return
	}
	if t.Before(s.from) {
		s.from = t
	}
	if t.After(s.to) {
		s.to = t
	}
}

// merge widens s to include o.
func (s *span) merge(o span) {
	if o.set {
		s.add(o.from)
		s.add(o.to)
	}
}

// zoneSpan is the range an event needs its TZID's VTIMEZONE to cover: every
// instant it writes in that zone, plus where its recurrence rule ends.
func (p *prepared) zoneSpan(opt *rrule.ROption) span {
	var s span
	ev := p.ev
	s.add(ev.Start)
	s.add(ev.End)
	for _, t := range p.exDates {
		s.add(t)
	}
	for _, t := range p.rDates {
		s.add(t)
		s.add(t.Add(p.duration))
	}
	for _, o := range p.overrides {
		s.add(o.RecurrenceID)
		start, end, _ := p.overrideTimes(o)
		s.add(start)
		s.add(end)
	}
	if opt == nil {
		return s
	}
	limit := s.to.AddDate(recurrenceCap, 0, 0)
	switch {
	case !opt.Until.IsZero():
		s.add(minTime(opt.Until.Add(p.duration), limit))
	case opt.Count > 0:
		s.add(minTime(lastOccurrence(*opt, ev.Start.In(p.zone.loc), limit).Add(p.duration), limit))
	default:
		s.add(s.to.AddDate(unboundedReach, 0, 0))
	}
	return s
}

// lastOccurrence returns a COUNT rule's last occurrence (or one past limit),
// computed in the event's zone so that wall-clock recurrence across DST is
// what clients compute. A rule without BYxxx parts has a closed form; others
// are walked with rrule-go, whose iteration showed in the feed profile.
func lastOccurrence(opt rrule.ROption, start time.Time, limit time.Time) time.Time {
	if t, ok := lastSimpleOccurrence(opt, start); ok {
		return t
	}
	opt.Dtstart = start
	r, err := rrule.NewRRule(opt)
	if err != nil {
		return start // checkRRule already parsed it; bounds errors mean no extension
	}
	next := r.Iterator()
	last := start
	for {
		t, ok := next()
		if !ok {
			return last
		}
		last = t
		if t.After(limit) {
			return t
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// lastSimpleOccurrence is the closed form of a COUNT rule with no BYxxx part:
// occurrence k is start plus k*INTERVAL days, weeks, months or years of wall
// clock. Monthly and yearly rules qualify only from a day that every month
// (or every year) has, since RFC 5545 skips the months without it.
func lastSimpleOccurrence(opt rrule.ROption, start time.Time) (time.Time, bool) {
	if len(opt.Bysetpos)+len(opt.Bymonth)+len(opt.Bymonthday)+len(opt.Byyearday)+len(opt.Byweekno)+
		len(opt.Byweekday)+len(opt.Byhour)+len(opt.Byminute)+len(opt.Bysecond)+len(opt.Byeaster) > 0 {
		return time.Time{}, false
	}
	steps := opt.Count - 1
	if opt.Interval > 1 {
		steps *= opt.Interval
	}
	_, m, d := start.Date()
	switch opt.Freq {
	case rrule.DAILY:
		return start.AddDate(0, 0, steps), true
	case rrule.WEEKLY:
		return start.AddDate(0, 0, 7*steps), true
	case rrule.MONTHLY:
		if d <= 28 {
			return start.AddDate(0, steps, 0), true
		}
	case rrule.YEARLY:
		if m != time.February || d != 29 {
			return start.AddDate(steps, 0, 0), true
		}
	}
	return time.Time{}, false
}
