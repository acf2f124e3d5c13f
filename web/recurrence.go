package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// Frequency is the unit a rule of the recurrence builder repeats by;
// FreqCustom keeps a rule the builder cannot show (BYSETPOS, BYMONTHDAY…)
// as written.
type Frequency string

// The builder's frequencies; FreqNone means a single occurrence.
const (
	FreqNone    Frequency = ""
	FreqDaily   Frequency = "DAILY"
	FreqWeekly  Frequency = "WEEKLY"
	FreqMonthly Frequency = "MONTHLY"
	FreqYearly  Frequency = "YEARLY"
	FreqCustom  Frequency = "custom"
)

// frequencies are the builder's choices in the order it shows them.
var frequencies = [...]Frequency{FreqNone, FreqDaily, FreqWeekly, FreqMonthly, FreqYearly, FreqCustom}

// weekdays are the builder's days, Monday first as in both staffs'
// calendars, with their RRULE names.
var weekdays = [...]struct {
	Day  time.Weekday
	Code string
}{{time.Monday, "MO"}, {time.Tuesday, "TU"}, {time.Wednesday, "WE"}, {time.Thursday, "TH"}, {time.Friday, "FR"}, {time.Saturday, "SA"}, {time.Sunday, "SU"}}

// Rule is what the recurrence builder edits: how often, every how many,
// on which weekdays, and until when (a count or a last day, not both).
type Rule struct {
	Freq     Frequency
	Interval int
	Days     []time.Weekday
	Count    int
	// Until is the last day the rule may produce an occurrence on (a date
	// in the activity's zone; zero when the rule has no end date).
	Until time.Time
	// Raw is the rule as written, for FreqCustom.
	Raw string
}

// RRule writes the rule as an RFC 5545 RRULE value ("" for a single
// occurrence). until is read as the end of that day in zone.
func (r Rule) RRule(zone *time.Location) string {
	switch r.Freq {
	case FreqNone:
		return ""
	case FreqCustom:
		return strings.TrimPrefix(strings.TrimSpace(r.Raw), "RRULE:")
	}
	parts := []string{"FREQ=" + string(r.Freq)}
	if r.Interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(r.Interval))
	}
	if r.Freq == FreqWeekly && len(r.Days) > 0 {
		var codes []string
		for _, d := range weekdays {
			for _, want := range r.Days {
				if d.Day == want {
					codes = append(codes, d.Code)
				}
			}
		}
		parts = append(parts, "BYDAY="+strings.Join(codes, ","))
	}
	switch {
	case r.Count > 0:
		parts = append(parts, "COUNT="+strconv.Itoa(r.Count))
	case !r.Until.IsZero():
		end := time.Date(r.Until.Year(), r.Until.Month(), r.Until.Day(), 23, 59, 59, 0, zone)
		parts = append(parts, "UNTIL="+end.UTC().Format("20060102T150405Z"))
	}
	return strings.Join(parts, ";")
}

// ParseRule reads a stored RRULE into the builder's terms; a rule with
// parts the builder has no control for comes back as FreqCustom, so that
// editing an activity never silently changes its rule.
func ParseRule(s string, zone *time.Location) Rule {
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	if s == "" {
		return Rule{}
	}
	custom := Rule{Freq: FreqCustom, Raw: s}
	opt, err := rrule.StrToROption(s)
	if err != nil {
		return custom
	}
	for _, part := range strings.Split(s, ";") {
		key, _, _ := strings.Cut(strings.ToUpper(part), "=")
		switch key {
		case "FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST":
		case "BYDAY":
			if opt.Freq != rrule.WEEKLY {
				return custom
			}
		default:
			return custom
		}
	}
	r := Rule{Interval: opt.Interval, Count: opt.Count}
	switch opt.Freq {
	case rrule.DAILY:
		r.Freq = FreqDaily
	case rrule.WEEKLY:
		r.Freq = FreqWeekly
	case rrule.MONTHLY:
		r.Freq = FreqMonthly
	case rrule.YEARLY:
		r.Freq = FreqYearly
	default:
		return custom
	}
	for _, d := range opt.Byweekday {
		if d.N() != 0 {
			return custom
		}
		r.Days = append(r.Days, time.Weekday((d.Day()+1)%7))
	}
	if !opt.Until.IsZero() {
		u := opt.Until.In(zone)
		r.Until = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, zone)
	}
	if r.Interval < 1 {
		r.Interval = 1
	}
	return r
}

// Words states the rule as people say it: "every second Thursday, 30
// times", "un jeudi sur deux, 30 fois". start gives the weekday of a
// weekly rule without days. A custom rule is shown as written.
func (r Rule) Words(l Language, start time.Time) string {
	if r.Freq == FreqNone {
		return map[Language]string{English: "does not repeat", French: "ne se répète pas"}[l]
	}
	if r.Freq == FreqCustom {
		return r.Raw
	}
	n := max(r.Interval, 1)
	var s string
	if l == French {
		s = frenchRule(r.Freq, n, r.Days)
	} else {
		s = englishRule(r.Freq, n, r.Days)
	}
	switch {
	case r.Count == 1 && l == French:
		s += ", une fois"
	case r.Count == 1:
		s += ", once"
	case r.Count > 1 && l == French:
		s += fmt.Sprintf(", %d fois", r.Count)
	case r.Count > 1:
		s += fmt.Sprintf(", %d times", r.Count)
	case !r.Until.IsZero() && l == French:
		s += ", jusqu’au " + strings.TrimPrefix(formatDate(l, r.Until), frenchDays[r.Until.Weekday()]+" ")
	case !r.Until.IsZero():
		s += ", until " + r.Until.Format("2 January 2006")
	}
	return s
}

var (
	englishOrdinals = map[int]string{2: "second", 3: "third", 4: "fourth"}
	englishUnits    = map[Frequency][2]string{FreqDaily: {"day", "days"}, FreqWeekly: {"week", "weeks"}, FreqMonthly: {"month", "months"}, FreqYearly: {"year", "years"}}
	englishDays     = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func englishRule(f Frequency, n int, days []time.Weekday) string {
	unit := englishUnits[f]
	if f == FreqWeekly && len(days) > 0 {
		names := make([]string, len(days))
		for i, d := range sortedDays(days) {
			names[i] = englishDays[d]
		}
		list := andList(names, "and")
		switch {
		case n == 1:
			return "every " + list
		case englishOrdinals[n] != "":
			return "every " + englishOrdinals[n] + " " + list
		default:
			return fmt.Sprintf("every %d weeks on %s", n, list)
		}
	}
	switch {
	case n == 1:
		return "every " + unit[0]
	case englishOrdinals[n] != "":
		return "every " + englishOrdinals[n] + " " + unit[0]
	default:
		return fmt.Sprintf("every %d %s", n, unit[1])
	}
}

var frenchCounts = map[int]string{2: "deux", 3: "trois", 4: "quatre"}

func frenchRule(f Frequency, n int, days []time.Weekday) string {
	if f == FreqWeekly && len(days) > 0 {
		names := make([]string, len(days))
		for i, d := range sortedDays(days) {
			names[i] = frenchDays[d]
		}
		switch {
		case n == 1:
			return "chaque " + andList(names, "et")
		case len(days) == 1 && frenchCounts[n] != "":
			return "un " + names[0] + " sur " + frenchCounts[n]
		}
		for i := range names {
			names[i] = "le " + names[i]
		}
		if c := frenchCounts[n]; c != "" {
			return andList(names, "et") + ", une semaine sur " + c
		}
		return fmt.Sprintf("%s, toutes les %d semaines", andList(names, "et"), n)
	}
	switch f {
	case FreqDaily:
		if n == 1 {
			return "tous les jours"
		}
		if c := frenchCounts[n]; c != "" {
			return "un jour sur " + c
		}
		return fmt.Sprintf("tous les %d jours", n)
	case FreqWeekly:
		if n == 1 {
			return "chaque semaine"
		}
		if c := frenchCounts[n]; c != "" {
			return "une semaine sur " + c
		}
		return fmt.Sprintf("toutes les %d semaines", n)
	case FreqMonthly:
		if n == 1 {
			return "chaque mois"
		}
		if c := frenchCounts[n]; c != "" {
			return "un mois sur " + c
		}
		return fmt.Sprintf("tous les %d mois", n)
	}
	if n == 1 {
		return "chaque année"
	}
	if c := frenchCounts[n]; c != "" {
		return "tous les " + c + " ans"
	}
	return fmt.Sprintf("tous les %d ans", n)
}

// sortedDays orders weekdays Monday first.
func sortedDays(days []time.Weekday) []time.Weekday {
	var out []time.Weekday
	for _, d := range weekdays {
		for _, want := range days {
			if want == d.Day {
				out = append(out, d.Day)
				break
			}
		}
	}
	return out
}

// andList joins "a, b and c" (or "et").
func andList(items []string, and string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}
