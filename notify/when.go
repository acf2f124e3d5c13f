package notify

import (
	"strconv"
	"strings"
	"time"
)

// Layouts for the "when" of a notice. Weekday, day and month name are spelled
// out the same way in every zone so that two lines for two zones compare at a
// glance; the 24-hour clock is what both organisations' staffs use.
const (
	dateLayout      = "Mon 2 Jan 2006"
	shortDateLayout = "Mon 2 Jan"
	clockLayout     = "15:04"
)

// zoneLabel is how a zone is named in text: the city of an IANA name
// ("Europe/Brussels" → "Brussels", "America/Argentina/Buenos_Aires" →
// "Buenos Aires"), or "UTC".
func zoneLabel(name string) string {
	if name == "" || name == "UTC" {
		return "UTC"
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}

// span describes an occurrence for display: the instants and whether it is
// an all-day occurrence (whose dates belong to the activity's zone and are
// never converted).
type span struct {
	start, end time.Time // end zero: no end
	allDay     bool
}

// format writes the span as seen in loc:
//
//	Tue 10 Mar 2026, 10:00–12:00
//	Tue 10 Mar 2026, 22:00 – Wed 11 Mar 2026, 01:00
//	Tue 10 Mar 2026 (all day)
//	Tue 10 Mar – Thu 12 Mar 2026 (all day)
func (s span) format(loc *time.Location) string {
	start := s.start.In(loc)
	if s.allDay {
		if s.end.IsZero() {
			return start.Format(dateLayout) + " (all day)"
		}
		last := s.end.In(loc).AddDate(0, 0, -1) // End is exclusive
		if !last.After(start) || sameDate(last, start) {
			return start.Format(dateLayout) + " (all day)"
		}
		if last.Year() == start.Year() {
			return start.Format(shortDateLayout) + " – " + last.Format(dateLayout) + " (all day)"
		}
		return start.Format(dateLayout) + " – " + last.Format(dateLayout) + " (all day)"
	}
	out := start.Format(dateLayout) + ", " + start.Format(clockLayout)
	if s.end.IsZero() {
		return out
	}
	end := s.end.In(loc)
	if sameDate(start, end) {
		return out + "–" + end.Format(clockLayout)
	}
	return out + " – " + end.Format(dateLayout) + ", " + end.Format(clockLayout)
}

// short is the compact form used in the subject: "Tue 10 Mar 10:00", or the
// date alone for an all-day occurrence.
func (s span) short(loc *time.Location) string {
	start := s.start.In(loc)
	if s.allDay {
		return start.Format(shortDateLayout)
	}
	return start.Format(shortDateLayout) + " " + start.Format(clockLayout)
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// startsIn says how soon an occurrence starts, for the opening line of a
// reminder: "35 minutes", "1 hour 5 minutes", "2 days 3 hours". Under a day
// it is rounded to the minute, from a day on to the hour, so that a reminder
// composed a few seconds after its offset still reads "1 hour", not
// "59 minutes".
func startsIn(d time.Duration, w *words) string {
	u := w.units
	if d >= 24*time.Hour {
		d = d.Round(time.Hour)
		days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		return joinUnits(days, u["day"], hours, u["hour"])
	}
	d = d.Round(time.Minute)
	if d <= 0 {
		return u["less"]
	}
	if d == 24*time.Hour {
		return "1 " + u["day"]
	}
	hours, minutes := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return joinUnits(hours, u["hour"], minutes, u["minute"])
}

// joinUnits writes "a unitA b unitB", leaving out a zero part.
func joinUnits(a int, unitA string, b int, unitB string) string {
	switch {
	case a == 0:
		return plural(b, unitB)
	case b == 0:
		return plural(a, unitA)
	}
	return plural(a, unitA) + " " + plural(b, unitB)
}

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}
