package planning

import (
	"errors"
	"fmt"
	"time"
)

// Validate checks a recurrence before it is stored, so that every stored
// activity can later be expanded within the limits: Start before End, a known
// zone, all-day times at midnight, a parsable RRULE within jointcal's
// restrictions (no MINUTELY or SECONDLY, HOURLY or several-a-day rules only
// with COUNT or UNTIL, COUNT at most lim.MaxInstances) whose first occurrence
// is Start, UNTIL not before Start, overrides that refer to occurrences of the
// series, and no more than lim.MaxInstances occurrences between now and
// now+lim.Horizon. It returns a *FieldError naming the field at fault.
func Validate(r Recurrence, now time.Time, lim Limits) error {
	lim = lim.withDefaults()
	s, err := newSeries(r, lim)
	if err != nil {
		return err
	}
	if s.rule != nil {
		if err := s.checkRuleStart(lim.MaxInstances); err != nil {
			return err
		}
	}
	for _, o := range s.overrides {
		ok, err := s.isOccurrence(o.RecurrenceID, lim.MaxInstances)
		if err != nil {
			return err
		}
		if !ok {
			return &FieldError{Field: "overrides", Message: fmt.Sprintf("overrides[%d] refers to %s, which is not an occurrence of the series",
				o.index, stamp(o.RecurrenceID, s.loc))}
		}
	}
	if _, err := s.between(now, now.Add(lim.Horizon), lim.MaxInstances); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return &FieldError{Field: fe.Field, Message: fmt.Sprintf("%s (the planning horizon is %d days from now)", fe.Message, int(lim.Horizon/(24*time.Hour)))}
		}
		return err
	}
	return nil
}

// checkRuleStart rejects a rule whose UNTIL precedes the start, or whose
// starts do not include the activity's own start. RFC 5545 leaves such a
// series undefined; calendar clients disagree about it, so we refuse it and
// say how to fix it.
func (s *series) checkRuleStart(maxInstances int) error {
	if !s.rule.until.IsZero() && s.rule.until.Before(s.start) {
		return &FieldError{Field: "rrule", Message: fmt.Sprintf("%s: UNTIL %s is before the start %s",
			quote(s.rule.text), stamp(s.rule.until, s.loc), stamp(s.start, s.loc))}
	}
	step := time.Second
	if s.allDay {
		step = 24 * time.Hour
	}
	found := false
	err := s.ruleStarts(s.wallStart, s.wallStart.Add(step), maxInstances, func(t time.Time) error {
		found = found || t.Equal(s.start)
		return nil
	})
	if err != nil {
		return err
	}
	if !found {
		return &FieldError{Field: "rrule", Message: fmt.Sprintf("%s does not produce the start %s (a %s); start the series on its first occurrence",
			quote(s.rule.text), stamp(s.start, s.loc), s.start.In(s.loc).Weekday())}
	}
	return nil
}
