package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// This file answers the questions merge asks about a series as a whole:
// whether an instant is one of its occurrences, and how a
// RANGE=THISANDFUTURE instance splits it. Both walk the rule with rrule-go
// in wall-clock time, the way package planning expands it.

// maxRuleWalk bounds how many starts one question may walk; a series
// denser than that (checked later by planning) is given the benefit of the
// doubt rather than walked for ever.
const maxRuleWalk = 200000

// ruleOpt returns the parsed options of an already checked rule.
func (c *converter) ruleOpt(text string, allDay bool) *rrule.ROption {
	k := ruleKey{text, allDay}
	r, ok := c.rules[k]
	if !ok {
		r.value, r.opt, r.err = checkRRule(text, allDay)
		c.rules[k] = r
	}
	return r.opt
}

// walkRule calls fn with the wall-clock start (carried as UTC) of each
// occurrence the rule of ev generates, in order, until fn returns false. It
// reports false when it stopped because of maxRuleWalk.
//
// The walk ends at the wall-clock reading until (zero: the rule's own
// end): rrule-go runs on to year 9999 looking for a start a barren rule
// (FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30) never makes, and the input is a
// stranger's.
func (c *converter) walkRule(ev *ImportedEvent, loc *time.Location, until time.Time, fn func(w time.Time) bool) bool {
	opt := c.ruleOpt(ev.RRule, ev.AllDay)
	if opt == nil {
		return true
	}
	o := *opt
	o.Dtstart = wallOf(ev.Start.In(loc))
	if !o.Until.IsZero() && !ev.AllDay {
		o.Until = wallOf(o.Until.In(loc))
	}
	if !until.IsZero() && (o.Until.IsZero() || until.Before(o.Until)) {
		o.Until = until
	}
	// The library steps through every period up to the end even when the
	// rule makes no start in them; refuse walks of more periods than
	// maxRuleWalk (an hourly rule over decades) as incomplete.
	if !o.Until.IsZero() {
		span := o.Until.Unix() - o.Dtstart.Unix()
		var step int64
		switch o.Freq {
		case rrule.HOURLY:
			step = 3600
		case rrule.MINUTELY:
			step = 60
		case rrule.SECONDLY:
			step = 1
		}
		if step > 0 && span/step/int64(max(o.Interval, 1)) > maxRuleWalk {
			return false
		}
	}
	rr, err := rrule.NewRRule(o)
	if err != nil {
		return true
	}
	next := rr.Iterator()
	for n := 0; n < maxRuleWalk; n++ {
		w, ok := next()
		if !ok || !fn(w) {
			return true
		}
	}
	return false
}

// seriesHas reports whether t (an instant, or a midnight for an all-day
// event) is an occurrence of ev: its start, an RDATE, or a start its rule
// generates.
func (c *converter) seriesHas(ev *ImportedEvent, z resolvedZone, t time.Time) bool {
	if indexTime([]time.Time{ev.Start}, t, ev.AllDay) >= 0 || indexTime(ev.RDates, t, ev.AllDay) >= 0 {
		return true
	}
	if ev.RRule == "" {
		return false
	}
	target := wallOf(t.In(z.loc))
	found := false
	complete := c.walkRule(ev, z.loc, target.Add(48*time.Hour), func(w time.Time) bool {
		if ev.AllDay {
			found = sameDate(w, target)
			return !found && !w.After(target)
		}
		if w.After(target.Add(26 * time.Hour)) {
			return false
		}
		found = z.instant(w).Equal(t)
		return !found
	})
	return found || !complete
}

// split ends the series ev just before the RANGE=THISANDFUTURE instance in
// and returns the series that continues from it (nil when nothing
// continues), with a warning saying what was done. The continuing series
// takes the instance's properties, the rule (a COUNT reduced by the
// occurrences before the split), and the exceptions from the split on,
// moved by the instance's shift (RFC 5545 §3.8.4.4).
func (c *converter) split(ev *ImportedEvent, z resolvedZone, in *parsedEvent) (*ImportedEvent, ImportError) {
	rid := in.recurrenceID
	warn := ImportError{Line: in.line, UID: ev.UID}
	if ev.RRule == "" || in.ev.AllDay != ev.AllDay {
		warn.Message = "RECURRENCE-ID;RANGE=THISANDFUTURE is ignored: the series has no RRULE, or the instance is all-day where the series is timed (or the reverse)"
		return nil, warn
	}
	before, count := 0, ruleCount(ev.RRule)
	c.walkRule(ev, z.loc, wallOf(rid.In(z.loc)).Add(48*time.Hour), func(w time.Time) bool {
		if !z.instant(w).Before(rid) {
			return false
		}
		before++
		return true
	})
	shift := func(t time.Time) time.Time {
		if ev.AllDay {
			days := int(wallOf(in.ev.Start).Sub(wallOf(rid)).Hours() / 24)
			return dayIn(t, t.Location()).AddDate(0, 0, days)
		}
		return t.Add(in.ev.Start.Sub(rid))
	}
	var next *ImportedEvent
	if in.ev.Status != "cancelled" && (count == 0 || count > before) {
		n := in.ev
		n.UID = ev.UID + "#" + rid.UTC().Format("20060102T150405Z")
		n.RRule = ev.RRule
		if count > 0 {
			n.RRule = setRulePart(ev.RRule, "COUNT", strconv.Itoa(count-before))
		}
		n.ExDates, n.RDates, n.Overrides = nil, nil, nil
		for _, t := range ev.ExDates {
			if !t.Before(rid) {
				n.ExDates = append(n.ExDates, shift(t))
			}
		}
		for _, t := range ev.RDates {
			if !t.Before(rid) {
				n.RDates = append(n.RDates, shift(t))
			}
		}
		for _, o := range ev.Overrides {
			if !o.RecurrenceID.Before(rid) {
				o.RecurrenceID = shift(o.RecurrenceID)
				n.Overrides = append(n.Overrides, o)
			}
		}
		next = &n
	}
	// The series itself stops before the split.
	until := string(appendUTCDateTime(nil, rid.Add(-time.Second)))
	if ev.AllDay {
		until = string(appendDate(nil, rid.AddDate(0, 0, -1)))
	}
	ev.RRule = setRulePart(setRulePart(ev.RRule, "COUNT", ""), "UNTIL", until)
	ev.ExDates, ev.RDates = keepBefore(ev.ExDates, rid), keepBefore(ev.RDates, rid)
	ovs := ev.Overrides[:0:0]
	for _, o := range ev.Overrides {
		if o.RecurrenceID.Before(rid) {
			ovs = append(ovs, o)
		}
	}
	ev.Overrides = ovs
	if next != nil {
		warn.Message = fmt.Sprintf("RECURRENCE-ID;RANGE=THISANDFUTURE splits the series at %s: the occurrences from there on are the event %q", rid.Format(time.RFC3339), next.UID)
	} else {
		warn.Message = fmt.Sprintf("RECURRENCE-ID;RANGE=THISANDFUTURE ends the series before %s", rid.Format(time.RFC3339))
	}
	return next, warn
}

// ruleCount is the rule's COUNT, 0 when it has none.
func ruleCount(rule string) int {
	for _, part := range strings.Split(rule, ";") {
		if v, ok := strings.CutPrefix(part, "COUNT="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// setRulePart replaces (or, with an empty value, removes) one part of a
// rule, appending it when absent.
func setRulePart(rule, key, value string) string {
	var parts []string
	for _, part := range strings.Split(rule, ";") {
		if part == "" || strings.HasPrefix(part, key+"=") {
			continue
		}
		parts = append(parts, part)
	}
	if value != "" {
		parts = append(parts, key+"="+value)
	}
	return strings.Join(parts, ";")
}

// keepBefore returns the instants of ts before t.
func keepBefore(ts []time.Time, t time.Time) []time.Time {
	var out []time.Time
	for _, x := range ts {
		if x.Before(t) {
			out = append(out, x)
		}
	}
	return out
}

// startInGap keeps a local-time series whose DTSTART falls in a
// spring-forward gap at its written time of day. RFC 5545 puts that first
// instance an hour later (02:30 becomes 03:30) while the rule's later
// instances stay at 02:30; a stored series is planned from its start
// instant's reading, so it would move every later instance to 03:30. The
// rule is given the written time of day (BYHOUR, BYMINUTE, BYSECOND),
// which means the same series: the start stays its first instance and
// counts towards COUNT, as RFC 5545 says of a DTSTART the rule does not
// produce.
func (c *converter) startInGap(ev *ImportedEvent, master *parsedEvent) {
	z := master.zone
	if ev.RRule == "" || ev.AllDay || z.loc == time.UTC || wallOf(ev.Start.In(z.loc)).Equal(master.wallStart) {
		return
	}
	for _, part := range strings.Split(ev.RRule, ";") {
		if strings.HasPrefix(part, "BYHOUR=") || strings.HasPrefix(part, "BYMINUTE=") || strings.HasPrefix(part, "BYSECOND=") {
			return // the rule names its times itself
		}
	}
	h, m, sec := master.wallStart.Clock()
	ev.RRule += fmt.Sprintf(";BYHOUR=%d;BYMINUTE=%d;BYSECOND=%d", h, m, sec)
}
