package calendar

import (
	"fmt"
	"github.com/jointcal/jointcal/isoduration"
	"strings"
	"time"
)

// This file reads the value types the import needs: DATE, DATE-TIME,
// DURATION (split into nominal days and exact time) and UTC-OFFSET, and
// turns a wall-clock reading in a zone into an instant the way RFC 5545
// does.

// timeValue is a DATE or DATE-TIME as written, before any zone is applied.
type timeValue struct {
	wall   time.Time // the written fields, carried as UTC
	isDate bool      // a DATE (no time of day)
	utc    bool      // a DATE-TIME ending in Z
}

// parseTimeValue reads a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS with
// an optional Z). The form decides, not the VALUE parameter, because
// producers get VALUE wrong more often than the value. A second of 60 (a
// leap second) is read as 59.
func parseTimeValue(s string) (timeValue, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (timeValue, error) {
		return timeValue{}, fmt.Errorf("%s is not an iCalendar DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS, optionally ending in Z): %s", quoteShort(s), why)
	}
	if len(s) < 8 {
		return bad("too short")
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 {
		return bad("the date must be 8 digits")
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, time.Month(mo)) {
		return bad("no such date")
	}
	if len(s) == 8 {
		return timeValue{wall: time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), isDate: true}, nil
	}
	tv := timeValue{}
	rest := s[8:]
	if rest[0] != 'T' && rest[0] != 't' {
		return bad("expected T after the date")
	}
	rest = rest[1:]
	if n := len(rest); n == 7 && (rest[6] == 'Z' || rest[6] == 'z') {
		tv.utc = true
		rest = rest[:6]
	}
	if len(rest) != 6 {
		return bad("the time must be 6 digits")
	}
	h, ok1 := digits(rest[0:2])
	mi, ok2 := digits(rest[2:4])
	sec, ok3 := digits(rest[4:6])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 60 {
		return bad("no such time of day")
	}
	if sec == 60 {
		sec = 59
	}
	tv.wall = time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	return tv, nil
}

// digits reads a short run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// wallIn reads a wall-clock reading (fields carried as UTC) in loc,
// following RFC 5545 section 3.3.5: a reading that falls in a gap (spring
// forward) takes the offset in force before the gap, so 02:30 on the night
// clocks jump from 02:00 to 03:00 is 03:30; a reading that occurs twice (fall
// back) is the first of the two instants, as in package planning. The result
// is in loc.
func wallIn(w time.Time, loc *time.Location) time.Time {
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	t := time.Date(y, mo, d, h, mi, s, 0, loc)
	if loc == time.UTC {
		return t
	}
	start, end := t.ZoneBounds()
	if !wallOf(t).Equal(w) {
		// w is in a gap. time.Date used one of the two offsets around it;
		// RFC 5545 wants the one before the gap.
		gap := start
		if !end.IsZero() && (start.IsZero() || end.Sub(t) < t.Sub(start)) {
			gap = end
		}
		if gap.IsZero() {
			return t
		}
		_, before := gap.Add(-time.Second).Zone()
		return w.Add(-time.Duration(before) * time.Second).In(loc)
	}
	// A reading that occurs twice sits just after a backward change; time.Date
	// may have taken the second instant.
	if start.IsZero() || t.Sub(start) > 26*time.Hour {
		return t
	}
	_, off := t.Zone()
	_, offBefore := start.Add(-time.Second).Zone()
	if offBefore <= off {
		return t
	}
	earlier := t.Add(-time.Duration(offBefore-off) * time.Second)
	if earlier.Before(start) && wallOf(earlier).Equal(w) {
		return earlier
	}
	return t
}

// wallOf is t's wall-clock reading in its own location, carried as UTC.
func wallOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// nominalDuration is an iCalendar duration split the way RFC 5545 section
// 3.3.6 adds it: days (weeks being seven) move the calendar date and keep the
// wall clock, the rest is exact time.
type nominalDuration struct {
	days  int
	exact time.Duration
}

// parseNominalDuration reads a DURATION value with ParseDuration's rules,
// keeping the days apart from the time part.
func parseNominalDuration(s string) (nominalDuration, error) {
	s = strings.TrimSpace(s)
	total, err := isoduration.Parse(s)
	if err != nil {
		return nominalDuration{}, err
	}
	// ParseDuration validated the grammar; split at T to get the date part.
	datePart := s
	if i := strings.IndexAny(s, "Tt"); i >= 0 {
		datePart = s[:i]
	}
	var days time.Duration
	if strings.TrimLeft(datePart, "+-Pp") != "" {
		if days, err = isoduration.Parse(datePart); err != nil {
			return nominalDuration{}, err
		}
	}
	return nominalDuration{days: int(days / (24 * time.Hour)), exact: total - days}, nil
}

// addTo adds the duration to t in t's location.
func (nd nominalDuration) addTo(t time.Time) time.Time {
	if nd.days != 0 {
		t = wallIn(wallOf(t).AddDate(0, 0, nd.days), t.Location())
	}
	return t.Add(nd.exact)
}

// parseUTCOffset reads a UTC-OFFSET value (+hhmm or +hhmmss) into seconds
// east of UTC.
func parseUTCOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		return 0, fmt.Errorf("UTC offset %s must be +hhmm or +hhmmss", quoteShort(s))
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[3:5])
	sec, ok3 := 0, true
	if len(s) == 7 {
		sec, ok3 = digits(s[5:7])
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("UTC offset %s is not a valid offset", quoteShort(s))
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}
