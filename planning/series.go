package planning

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The years a recurrence may start in. The bounds keep well clear of the
// library's year-9999 limit and of proleptic-calendar oddities, and cover any
// real planning (or archive import).
const (
	minStartYear = 1000
	maxStartYear = 9000
)

// series is a Recurrence that passed the structural checks shared by Validate
// and Expand, normalised for expansion: UTC instants at second precision, the
// zone loaded, the rule parsed, exceptions keyed for constant-time lookup.
type series struct {
	loc       *time.Location
	allDay    bool
	start     time.Time     // first occurrence start (UTC)
	wallStart time.Time     // its wall-clock reading in loc
	dur       time.Duration // length of a timed occurrence
	days      int           // length of an all-day occurrence, in calendar days
	rule      *rule         // nil for a single activity
	conv      *wallConverter

	extras    []time.Time        // start and RDATEs, deduplicated (UTC)
	extraKeys map[int64]struct{} // keys of extras
	exdates   map[int64]struct{}
	overrides []override // sorted by recurrence ID
	moved     map[int64]struct{}
	// overflow is set when between stopped at its instance limit (as
	// opposed to a rule error), so that Expand can narrow the window.
	overflow bool
}

// override is an Override normalised by newSeries.
type override struct {
	Override
	index int // position in Recurrence.Overrides, for error messages
}

// newSeries checks the parts of r that do not need expanding (times, zone,
// rule syntax and limits, exceptions) and normalises them. Both Validate and
// Expand start here, so a stored activity is always read the way it was
// checked.
func newSeries(r Recurrence, lim Limits) (*series, error) {
	loc, err := LoadZone(r.TimeZone)
	if err != nil {
		return nil, err
	}
	if r.Start.IsZero() {
		return nil, &FieldError{Field: "start", Message: "start is required"}
	}
	if r.End.IsZero() {
		return nil, &FieldError{Field: "end", Message: "end is required"}
	}
	if y := r.Start.In(loc).Year(); y < minStartYear || y > maxStartYear {
		return nil, &FieldError{Field: "start", Message: fmt.Sprintf("start %s is outside the supported years %d to %d", stamp(r.Start, loc), minStartYear, maxStartYear)}
	}
	s := &series{
		loc:       loc,
		conv:      newWallConverter(loc),
		allDay:    r.AllDay,
		start:     r.Start.Truncate(time.Second).UTC(),
		extraKeys: make(map[int64]struct{}),
		exdates:   make(map[int64]struct{}, len(r.ExDates)),
		moved:     make(map[int64]struct{}, len(r.Overrides)),
	}
	end := r.End.Truncate(time.Second).UTC()
	if !end.After(s.start) {
		return nil, &FieldError{Field: "end", Message: fmt.Sprintf("end %s must be after start %s", stamp(end, loc), stamp(s.start, loc))}
	}
	s.wallStart = wallClock(s.start, loc)
	if s.allDay {
		wallEnd := wallClock(end, loc)
		for _, c := range []struct {
			field string
			wall  time.Time
			t     time.Time
		}{{"start", s.wallStart, s.start}, {"end", wallEnd, end}} {
			if !c.wall.Equal(truncateDay(c.wall)) {
				return nil, &FieldError{Field: c.field, Message: fmt.Sprintf("an all-day activity's %s must be midnight in %s, got %s", c.field, loc, stamp(c.t, loc))}
			}
		}
		s.days = int(wallEnd.Sub(s.wallStart) / (24 * time.Hour))
	} else {
		s.dur = end.Sub(s.start)
	}

	if text := strings.TrimSpace(r.RRule); text != "" {
		if s.rule, err = parseRule(text, loc, s.wallStart, s.allDay, lim.MaxInstances); err != nil {
			return nil, err
		}
	}

	if s.rule != nil {
		if err := s.ruleFromStart(lim.MaxInstances); err != nil {
			return nil, err
		}
	}
	s.addExtra(s.start)
	if len(r.RDates) > lim.MaxInstances {
		return nil, &FieldError{Field: "rdates", Message: fmt.Sprintf("%d extra dates exceed the limit of %d", len(r.RDates), lim.MaxInstances)}
	}
	for i, t := range r.RDates {
		if t.IsZero() {
			return nil, &FieldError{Field: "rdates", Message: fmt.Sprintf("rdates[%d] is empty", i)}
		}
		s.addExtra(s.normStart(t))
	}
	for i, t := range r.ExDates {
		if t.IsZero() {
			return nil, &FieldError{Field: "exdates", Message: fmt.Sprintf("exdates[%d] is empty", i)}
		}
		s.exdates[s.key(t)] = struct{}{}
	}
	if len(r.Overrides) > lim.MaxInstances {
		return nil, &FieldError{Field: "overrides", Message: fmt.Sprintf("%d overrides exceed the limit of %d", len(r.Overrides), lim.MaxInstances)}
	}
	for i, o := range r.Overrides {
		if o.RecurrenceID.IsZero() {
			return nil, &FieldError{Field: "overrides", Message: fmt.Sprintf("overrides[%d] has no recurrence ID", i)}
		}
		n := override{Override: Override{RecurrenceID: s.normStart(o.RecurrenceID), Cancelled: o.Cancelled}, index: i}
		if !o.Cancelled {
			n.Start, n.End = o.Start.Truncate(time.Second).UTC(), o.End.Truncate(time.Second).UTC()
			if o.Start.IsZero() || !n.End.After(n.Start) {
				return nil, &FieldError{Field: "overrides", Message: fmt.Sprintf("overrides[%d] moves %s to a span whose end %s is not after its start %s",
					i, stamp(n.RecurrenceID, loc), stamp(n.End, loc), stamp(n.Start, loc))}
			}
		}
		k := s.key(n.RecurrenceID)
		if _, dup := s.moved[k]; dup {
			return nil, &FieldError{Field: "overrides", Message: fmt.Sprintf("overrides[%d] changes %s, which an earlier override already changes", i, stamp(n.RecurrenceID, loc))}
		}
		s.moved[k] = struct{}{}
		s.overrides = append(s.overrides, n)
	}
	sort.Slice(s.overrides, func(i, j int) bool {
		return s.overrides[i].RecurrenceID.Before(s.overrides[j].RecurrenceID)
	})
	return s, nil
}

// addExtra records an explicitly listed start (the first one or an RDATE)
// once.
func (s *series) addExtra(t time.Time) {
	k := s.key(t)
	if _, dup := s.extraKeys[k]; dup {
		return
	}
	s.extraKeys[k] = struct{}{}
	s.extras = append(s.extras, t)
}

// key identifies an occurrence start for EXDATE and RECURRENCE-ID matching:
// the second for timed activities, the local date for all-day ones (so a date
// written as UTC midnight still matches a Brussels midnight).
func (s *series) key(t time.Time) int64 {
	if s.allDay {
		return truncateDay(wallClock(t, s.loc)).Unix() / 86400
	}
	return t.Unix()
}

// normStart is the canonical start instant for t: whole seconds for timed
// activities, local midnight of t's local date for all-day ones.
func (s *series) normStart(t time.Time) time.Time {
	if s.allDay {
		return instantAt(truncateDay(wallClock(t, s.loc)), s.loc)
	}
	return t.Truncate(time.Second).UTC()
}

// occurrenceAt builds the occurrence starting at start: the same absolute
// length as the first for timed activities, the same number of calendar days
// for all-day ones.
func (s *series) occurrenceAt(start time.Time) Occurrence {
	if s.allDay {
		day := truncateDay(wallClock(start, s.loc))
		end, _ := s.conv.instant(day.AddDate(0, 0, s.days))
		return Occurrence{Start: start, End: end, RecurrenceID: start}
	}
	return Occurrence{Start: start, End: start.Add(s.dur), RecurrenceID: start}
}

// wallLength is how long an occurrence lasts on the wall clock, used to widen
// a search window so that occurrences starting before it but still running are
// found.
func (s *series) wallLength() time.Duration {
	if s.allDay {
		return time.Duration(s.days) * 24 * time.Hour
	}
	return s.dur
}

// truncateDay returns midnight of w's date; w is a wall-clock reading carried
// as UTC.
func truncateDay(w time.Time) time.Time {
	y, m, d := w.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ruleFromStart settles how the rule and the start make one series. RFC
// 5545 makes DTSTART the first instance whether or not the rule produces it
// (its own "every Friday the 13th" example relies on this), and counts it
// as the first of COUNT; so when the rule does not produce the start, the
// rule keeps one start fewer. A timed start that is the second of two
// instants with the same local reading (clocks went back) cannot be the
// start of a local-time series: iCalendar writes the reading, which means
// its first instant, so the series would be read an hour earlier by every
// client; that is refused with the instant to use instead.
func (s *series) ruleFromStart(maxInstances int) error {
	step := time.Second
	if s.allDay {
		step = 24 * time.Hour
	}
	found := false
	err := s.ruleStarts(s.wallStart, s.wallStart.Add(step), maxInstances, func(t time.Time) error {
		found = found || t.Equal(s.start)
		return nil
	})
	if err != nil || found {
		return err
	}
	if !s.allDay {
		if first := instantAt(s.wallStart, s.loc); !first.Equal(s.start) {
			return &FieldError{Field: "start", Message: fmt.Sprintf("%s is the second time the clock reads %s that night (clocks went back); "+
				"RFC 5545 reads a recurring local time that occurs twice as its first instant, so start the series at %s or outside the repeated hour",
				stamp(s.start, s.loc), s.wallStart.Format("15:04"), stamp(first, s.loc))}
		}
	}
	if s.rule.count > 0 {
		s.rule.count--
		if s.rule.count == 0 {
			s.rule = nil
		}
	}
	return nil
}
