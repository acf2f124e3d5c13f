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
	return s.validate(now, lim)
}

// validate is Validate on a parsed series with its limits' defaults
// applied.
func (s *series) validate(now time.Time, lim Limits) error {
	if s.rule != nil {
		if err := s.checkRuleStart(); err != nil {
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

// checkRuleStart rejects a rule whose UNTIL precedes the start: the series
// would be its start alone, which is almost certainly a mistake in the
// input. A start the rule does not produce is the series' first instance
// (see ruleFromStart).
func (s *series) checkRuleStart() error {
	if !s.rule.until.IsZero() && s.rule.until.Before(s.start) {
		return &FieldError{Field: "rrule", Message: fmt.Sprintf("%s: UNTIL %s is before the start %s",
			quote(s.rule.text), stamp(s.rule.until, s.loc), stamp(s.start, s.loc))}
	}
	return nil
}
