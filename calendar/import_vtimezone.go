package calendar

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file reads a custom VTIMEZONE block (one whose TZID names no known
// zone) as a function from instants to UTC offsets, so that import_tz.go can
// compare it with the IANA zones. It understands what producers write: a
// STANDARD and a DAYLIGHT observance with a yearly "nth weekday of a month"
// rule (Outlook starts them in 1601), older rules closed with UNTIL, explicit
// RDATE onsets, and fixed offsets.

// tzObservance is one STANDARD or DAYLIGHT block of a custom VTIMEZONE.
type tzObservance struct {
	dst            bool
	start          time.Time // first onset, wall clock in offFrom (carried as UTC)
	startAt        time.Time // first onset, instant
	offFrom, offTo int       // seconds east of UTC
	rule           *tzRule   // nil: onsets are start and rdates only
	until          time.Time // last permitted onset instant; zero: none
	lastYear       int       // from COUNT: last year with an onset; 0: none
	rdates         []time.Time
}

// customZone is a VTIMEZONE read as a function from instants to offsets.
type customZone struct {
	obs []tzObservance
}

// tzRule is the yearly rule of an observance: in month, the nth (from the
// end when negative) weekday, or the weekday among monthDays, or monthDays'
// single day, or start's day.
type tzRule struct {
	month      time.Month // 0: start's month
	weekday    time.Weekday
	hasWeekday bool
	nth        int
	monthDays  []int
	// clock is the onset's time of day from BYHOUR, BYMINUTE and BYSECOND
	// (Lotus Notes writes them); -1 where the rule leaves it to DTSTART.
	clock [3]int
}

// maxObservanceDates bounds the RDATE values of one custom VTIMEZONE block.
const maxObservanceDates = 1000

// parseCustomZone reads a VTIMEZONE's observances. Only FREQ=YEARLY rules
// that pick one day a year are understood; that is every rule real
// producers write.
func parseCustomZone(comp *component) (*customZone, error) {
	cz := &customZone{}
	for _, ob := range comp.children {
		o := tzObservance{dst: ob.name == "DAYLIGHT"}
		var haveStart, haveFrom, haveTo bool
		var ruleText string
		var ruleLine int
		for i := range ob.props {
			p := &ob.props[i]
			var err error
			switch p.name {
			case "DTSTART":
				var tv timeValue
				tv, err = parseTimeValue(p.value)
				if err == nil && tv.utc {
					err = fmt.Errorf("DTSTART of an observance must be a local time, not UTC")
				}
				o.start, haveStart = tv.wall, err == nil
			case "TZOFFSETFROM":
				o.offFrom, err = parseUTCOffset(p.value)
				haveFrom = err == nil
			case "TZOFFSETTO":
				o.offTo, err = parseUTCOffset(p.value)
				haveTo = err == nil
			case "RRULE":
				ruleText, ruleLine = p.value, p.line
			case "RDATE":
				for _, v := range strings.Split(p.value, ",") {
					if len(o.rdates) >= maxObservanceDates {
						return nil, fmt.Errorf("line %d: more than %d RDATE values in one observance", p.line, maxObservanceDates)
					}
					v, _, _ = strings.Cut(v, "/") // PERIOD: its start
					tv, perr := parseTimeValue(v)
					if perr != nil {
						err = perr
						break
					}
					o.rdates = append(o.rdates, tv.wall) // wall for now; instants below
				}
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", p.line, p.name, err)
			}
		}
		if !haveStart || !haveFrom || !haveTo {
			return nil, fmt.Errorf("%s at line %d needs DTSTART, TZOFFSETFROM and TZOFFSETTO", ob.name, ob.line)
		}
		o.startAt = o.start.Add(-time.Duration(o.offFrom) * time.Second)
		for i, w := range o.rdates {
			o.rdates[i] = w.Add(-time.Duration(o.offFrom) * time.Second)
		}
		if ruleText != "" {
			if err := o.parseRule(ruleText); err != nil {
				return nil, fmt.Errorf("line %d: RRULE %s: %w", ruleLine, quoteShort(ruleText), err)
			}
		}
		cz.obs = append(cz.obs, o)
	}
	if len(cz.obs) == 0 {
		return nil, fmt.Errorf("it has no STANDARD or DAYLIGHT block")
	}
	return cz, nil
}

// parseRule reads an observance's RRULE into o.rule, o.until and o.lastYear.
func (o *tzObservance) parseRule(text string) error {
	r := &tzRule{clock: [3]int{-1, -1, -1}}
	var freq bool
	for _, part := range strings.Split(upperASCII(strings.TrimSpace(text)), ";") {
		key, val, _ := strings.Cut(part, "=")
		switch key {
		case "FREQ":
			if val != "YEARLY" {
				return fmt.Errorf("only FREQ=YEARLY is understood in a VTIMEZONE")
			}
			freq = true
		case "INTERVAL":
			if val != "1" {
				return fmt.Errorf("only INTERVAL=1 is understood in a VTIMEZONE")
			}
		case "WKST":
		case "BYMONTH":
			m, err := strconv.Atoi(val)
			if err != nil || m < 1 || m > 12 {
				return fmt.Errorf("BYMONTH must be one month number")
			}
			r.month = time.Month(m)
		case "BYDAY":
			if strings.Contains(val, ",") || len(val) < 2 {
				return fmt.Errorf("BYDAY must be one weekday")
			}
			wd, ok := weekdayCodes(val[len(val)-2:])
			if !ok {
				return fmt.Errorf("BYDAY %s is not a weekday", quoteShort(val))
			}
			r.weekday, r.hasWeekday = wd, true
			if n := val[:len(val)-2]; n != "" {
				nth, err := strconv.Atoi(n)
				if err != nil || nth == 0 || nth < -5 || nth > 5 {
					return fmt.Errorf("BYDAY ordinal %s must be 1 to 5 or -1 to -5", quoteShort(n))
				}
				r.nth = nth
			}
		case "BYMONTHDAY":
			for _, v := range strings.Split(val, ",") {
				d, err := strconv.Atoi(v)
				if err != nil || d == 0 || d < -31 || d > 31 {
					return fmt.Errorf("BYMONTHDAY %s is not a day of the month", quoteShort(v))
				}
				r.monthDays = append(r.monthDays, d)
			}
		case "BYHOUR", "BYMINUTE", "BYSECOND":
			limit, i := 23, 0
			if key != "BYHOUR" {
				limit, i = 59, 1
				if key == "BYSECOND" {
					i = 2
				}
			}
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > limit {
				return fmt.Errorf("%s must be one value from 0 to %d", key, limit)
			}
			r.clock[i] = n
		case "UNTIL":
			tv, err := parseTimeValue(val)
			if err != nil {
				return err
			}
			switch {
			case tv.utc:
				o.until = tv.wall
			case tv.isDate:
				o.until = tv.wall.Add(24*time.Hour - time.Second - time.Duration(o.offFrom)*time.Second)
			default:
				o.until = tv.wall.Add(-time.Duration(o.offFrom) * time.Second)
			}
		case "COUNT":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 10000 {
				return fmt.Errorf("COUNT must be 1 to 10000")
			}
			o.lastYear = o.start.Year() + n - 1
		default:
			return fmt.Errorf("rule part %s is not understood in a VTIMEZONE", quoteShort(key))
		}
	}
	if !freq {
		return fmt.Errorf("FREQ is missing")
	}
	switch {
	case r.hasWeekday && r.nth != 0 && len(r.monthDays) > 0:
		return fmt.Errorf("BYDAY with an ordinal cannot be combined with BYMONTHDAY")
	case r.hasWeekday && r.nth == 0 && len(r.monthDays) == 0:
		return fmt.Errorf("BYDAY without an ordinal needs BYMONTHDAY to pick one day")
	case !r.hasWeekday && len(r.monthDays) > 1:
		return fmt.Errorf("BYMONTHDAY without BYDAY must be one day")
	}
	o.rule = r
	return nil
}

// weekdayCodes maps an RFC 5545 weekday code to a time.Weekday.
func weekdayCodes(code string) (time.Weekday, bool) {
	switch code {
	case "SU":
		return time.Sunday, true
	case "MO":
		return time.Monday, true
	case "TU":
		return time.Tuesday, true
	case "WE":
		return time.Wednesday, true
	case "TH":
		return time.Thursday, true
	case "FR":
		return time.Friday, true
	case "SA":
		return time.Saturday, true
	}
	return 0, false
}

// onset returns the rule's wall-clock onset in year y, if it has one.
func (r *tzRule) onset(y int, start time.Time) (time.Time, bool) {
	m := r.month
	if m == 0 {
		m = start.Month()
	}
	n := daysIn(y, m)
	day := 0
	dayOf := func(d int) int { // a BYMONTHDAY value to a day of the month
		if d < 0 {
			d = n + 1 + d
		}
		if d < 1 || d > n {
			return 0
		}
		return d
	}
	switch {
	case r.hasWeekday && r.nth > 0:
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()
		day = 1 + (int(r.weekday)-int(first)+7)%7 + (r.nth-1)*7
	case r.hasWeekday && r.nth < 0:
		last := time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday()
		day = n - (int(last)-int(r.weekday)+7)%7 + (r.nth+1)*7
	case r.hasWeekday:
		for _, md := range r.monthDays {
			d := dayOf(md)
			if d > 0 && time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday() == r.weekday && (day == 0 || d < day) {
				day = d
			}
		}
	case len(r.monthDays) == 1:
		day = dayOf(r.monthDays[0])
	default:
		day = start.Day()
	}
	if day < 1 || day > n {
		return time.Time{}, false
	}
	clock := [3]int{}
	clock[0], clock[1], clock[2] = start.Clock()
	for i, v := range r.clock {
		if v >= 0 {
			clock[i] = v
		}
	}
	return time.Date(y, m, day, clock[0], clock[1], clock[2], 0, time.UTC), true
}

// ruleOnset is the instant of observance i's rule onset in year y, if it
// has one then. Outlook writes a zone's history as several STANDARD (and
// DAYLIGHT) blocks with open-ended rules, each starting where the rules
// changed (US zones: 1601 and 2007); a rule's onset is taken only until a
// later block of the same kind starts, as those producers mean.
func (cz *customZone) ruleOnset(i, y int) (time.Time, bool) {
	o := &cz.obs[i]
	at, ok := o.ruleOnset(y)
	if !ok {
		return at, false
	}
	for j := range cz.obs {
		n := &cz.obs[j]
		if j != i && n.dst == o.dst && n.startAt.After(o.startAt) && !n.startAt.After(at) {
			return time.Time{}, false
		}
	}
	return at, true
}

// startIsOnset reports whether the observance's DTSTART is itself a change
// of offset: always without a rule, and with one when the rule produces it.
// Outlook starts the blocks of later eras on 1 January of their first year
// with a rule that switches months later; taking that DTSTART as an onset
// would put daylight-saving time in January.
func (o *tzObservance) startIsOnset() bool {
	if o.rule == nil {
		return true
	}
	at, ok := o.ruleOnset(o.start.Year())
	return ok && at.Equal(o.startAt)
}

// ruleOnset is the instant of o's rule onset in year y, if o has one then.
func (o *tzObservance) ruleOnset(y int) (time.Time, bool) {
	if o.rule == nil || y < o.start.Year() || o.lastYear != 0 && y > o.lastYear {
		return time.Time{}, false
	}
	w, ok := o.rule.onset(y, o.start)
	if !ok {
		return time.Time{}, false
	}
	at := w.Add(-time.Duration(o.offFrom) * time.Second)
	if at.Before(o.startAt) || !o.until.IsZero() && at.After(o.until) {
		return time.Time{}, false
	}
	return at, true
}

// offsetAt is the zone's offset at instant t: that of the latest onset at or
// before t, or, before the first onset, the earliest block's TZOFFSETFROM.
func (cz *customZone) offsetAt(t time.Time) int {
	var best time.Time
	bestOff, found := 0, false
	consider := func(at time.Time, off int) {
		if !at.After(t) && (!found || at.After(best)) {
			best, bestOff, found = at, off, true
		}
	}
	for i := range cz.obs {
		o := &cz.obs[i]
		if o.startAt.After(t) {
			continue
		}
		if o.startIsOnset() {
			consider(o.startAt, o.offTo)
		}
		for _, at := range o.rdates {
			consider(at, o.offTo)
		}
		y := t.Year()
		if !o.until.IsZero() && t.After(o.until) {
			y = o.until.Year()
		}
		if o.lastYear != 0 && y > o.lastYear {
			y = o.lastYear
		}
		for yy := y - 1; yy <= y+1; yy++ {
			if at, ok := cz.ruleOnset(i, yy); ok {
				consider(at, o.offTo)
			}
		}
	}
	if found {
		return bestOff
	}
	// Before every onset: the offset the earliest one changes from. On a
	// tie (Outlook starts both blocks on 1601-01-01) the DAYLIGHT block's,
	// which is standard time.
	first := &cz.obs[0]
	for i := range cz.obs {
		o := &cz.obs[i]
		if o.startAt.Before(first.startAt) || o.startAt.Equal(first.startAt) && o.dst && !first.dst {
			first = o
		}
	}
	return first.offFrom
}

// onsetsIn lists the onsets in [from, to), sorted.
func (cz *customZone) onsetsIn(from, to time.Time) []time.Time {
	var out []time.Time
	in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
	for i := range cz.obs {
		o := &cz.obs[i]
		if o.startIsOnset() && in(o.startAt) {
			out = append(out, o.startAt)
		}
		for _, at := range o.rdates {
			if in(at) {
				out = append(out, at)
			}
		}
		for y := from.Year() - 1; y <= to.Year(); y++ {
			if at, ok := cz.ruleOnset(i, y); ok && in(at) {
				out = append(out, at)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// instant converts a wall-clock reading (carried as UTC) to the instant it
// denotes under the block's own observances: of two instants with that
// reading (a fall-back repeat) the first, and for a reading in a
// spring-forward gap the offset in force before the gap (RFC 5545 §3.3.5).
func (cz *customZone) instant(w time.Time) time.Time {
	var best time.Time
	maxOff := math.MinInt
	for _, off := range cz.offsets() {
		maxOff = max(maxOff, off)
		c := w.Add(-time.Duration(off) * time.Second)
		if cz.offsetAt(c) == off && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	if !best.IsZero() {
		return best
	}
	// In a gap: the instant read with the offset before it, which is the
	// offset just before the earliest candidate.
	before := cz.offsetAt(w.Add(-time.Duration(maxOff) * time.Second))
	return w.Add(-time.Duration(before) * time.Second)
}

// offsets lists the distinct offsets the block's observances use.
func (cz *customZone) offsets() []int {
	var out []int
	for _, o := range cz.obs {
		for _, off := range [2]int{o.offFrom, o.offTo} {
			if !slices.Contains(out, off) {
				out = append(out, off)
			}
		}
	}
	return out
}
