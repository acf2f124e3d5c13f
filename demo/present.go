package demo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// reportMiddle is the middle of the report's period (June 2020 – December
// 2023): Place moves it to within half a year of the day of loading, so
// the data reach about two years back and two years ahead.
var reportMiddle = time.Date(2022, time.March, 1, 0, 0, 0, 0, time.UTC)

// Shift is how far the report's dates move: Years whole years, realised
// as Days, a multiple of seven close to them, so that every activity keeps
// its weekday and (being shifted on the local calendar) its local time,
// while a January meeting stays in January and an August break in August.
type Shift struct {
	Years int
	Days  int
}

// ShiftFor is the shift that places the report around today.
func ShiftFor(today time.Time) Shift {
	years := int(math.Round(today.Sub(reportMiddle).Hours() / 24 / 365.2425))
	moved := reportMiddle.AddDate(years, 0, 0)
	days := int(math.Round(moved.Sub(reportMiddle).Hours() / 24))
	weeks := int(math.Round(float64(days) / 7))
	return Shift{Years: years, Days: weeks * 7}
}

// addDays puts t on the same local wall-clock time n days later in loc
// (across a DST change that is not n×24 hours).
func addDays(t time.Time, loc *time.Location, n int) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+n, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
}

// civilDays counts the calendar days from a's date to b's.
func civilDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(math.Round(db.Sub(da).Hours() / 24))
}

// nthWeekday is a rule's BYDAY=2TU: the second Tuesday of the month.
type nthWeekday struct {
	n       int
	weekday time.Weekday
}

var weekdays = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}

// ordinalDay reads a MONTHLY or YEARLY rule whose BYDAY names one
// weekday of the month by its rank (1..4); such rules are anchored to the
// calendar month, not to a whole number of weeks.
func ordinalDay(rule string) (nthWeekday, bool) {
	var freq, byday string
	for _, part := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "FREQ":
			freq = v
		case "BYDAY":
			byday = v
		}
	}
	if (freq != "MONTHLY" && freq != "YEARLY") || len(byday) != 3 {
		return nthWeekday{}, false
	}
	n, err := strconv.Atoi(byday[:1])
	wd, ok := weekdays[byday[1:]]
	if err != nil || !ok || n < 1 || n > 4 {
		return nthWeekday{}, false
	}
	return nthWeekday{n, wd}, true
}

// moveOrdinal puts t, an instance of an ordinal rule, on the same rank of
// the same weekday in its month Years later, at the same local time.
func (s Shift) moveOrdinal(t time.Time, loc *time.Location, o nthWeekday) time.Time {
	l := t.In(loc)
	first := time.Date(l.Year()+s.Years, l.Month(), 1, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
	offset := (int(o.weekday) - int(first.Weekday()) + 7) % 7
	return time.Date(first.Year(), first.Month(), 1+offset+7*(o.n-1), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
}

// moveUntil shifts the UNTIL of a rule (a UTC date-time) like the rest.
func (s Shift) moveUntil(rule string, loc *time.Location) (string, error) {
	parts := strings.Split(rule, ";")
	for i, part := range parts {
		v, ok := strings.CutPrefix(part, "UNTIL=")
		if !ok {
			continue
		}
		until, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			return "", fmt.Errorf("UNTIL %q: %w", v, err)
		}
		parts[i] = "UNTIL=" + addDays(until, loc, s.Days).UTC().Format("20060102T150405Z")
	}
	return strings.Join(parts, ";"), nil
}

// Place moves every activity of d by the shift for today and records in
// its description the date the report gives, so the demo is a living plan
// whatever the day while staying true to its source.
func Place(d *Dataset, today time.Time) error {
	s := ShiftFor(today)
	for i := range d.Activities {
		a := &d.Activities[i].ActivityInput
		loc, err := time.LoadLocation(a.TimeZone)
		if err != nil {
			return fmt.Errorf("activity %s: time zone %q: %w", d.Activities[i].Key, a.TimeZone, err)
		}
		note := reportDate(a.Start, a.End, a.RRule != "", a.AllDay, loc)
		if a.Description == "" {
			a.Description = note
		} else {
			a.Description = strings.TrimRight(a.Description, " \n") + "\n\n" + note
		}
		move := func(t time.Time) time.Time { return addDays(t, loc, s.Days) }
		if o, ok := ordinalDay(a.RRule); ok {
			move = func(t time.Time) time.Time { return s.moveOrdinal(t, loc, o) }
		}
		start := move(a.Start)
		// The end moves on the local calendar by as many days as the
		// start did: a meeting keeps its local hours, an exercise its days.
		moved := civilDays(a.Start.In(loc), start.In(loc))
		a.Start, a.End = start, addDays(a.End, loc, moved)
		for j, x := range a.ExDates {
			a.ExDates[j] = move(x)
		}
		for j, x := range a.RDates {
			a.RDates[j] = move(x)
		}
		if a.RRule, err = s.moveUntil(a.RRule, loc); err != nil {
			return fmt.Errorf("activity %s: %w", d.Activities[i].Key, err)
		}
	}
	for i := range d.PacePairs {
		d.PacePairs[i].Year += s.Years
	}
	return nil
}

func sameLocalDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// reportDate is the note that keeps the report's date: "In the report:
// Tuesday 23 March 2021." (the days of a multi-day activity, the first
// day of a recurring one).
func reportDate(start, end time.Time, recurring, allDay bool, loc *time.Location) string {
	const day = "Monday 2 January 2006"
	s, e := start.In(loc), end.In(loc)
	switch {
	case recurring:
		return "In the report: from " + s.Format(day) + "."
	case !sameLocalDay(s, e, loc):
		last := e
		if h, m, sec := e.Clock(); h == 0 && m == 0 && sec == 0 {
			last = e.AddDate(0, 0, -1) // an end at midnight belongs to the day before
		}
		if sameLocalDay(s, last, loc) {
			return "In the report: " + s.Format(day) + "."
		}
		return "In the report: " + s.Format(day) + " to " + last.Format(day) + "."
	default:
		return "In the report: " + s.Format(day) + "."
	}
}
