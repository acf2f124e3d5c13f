// Package isoduration reads and writes RFC 5545 / ISO 8601 durations
// (P14D, PT1H, -PT15M): the form the API, the configuration and the feeds
// exchange reminders and intervals in. It is a leaf, so that config and
// the store need not import the calendar package for it.
package isoduration

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Format writes d as an RFC 5545 / ISO 8601 duration (P14D, PT1H,
// P1DT2H, -PT15M, PT0S). It exists because the API exchanges reminders and
// refresh intervals in this form and the feed writes TRIGGER,
// REFRESH-INTERVAL and X-PUBLISHED-TTL with it, and time.Duration.String's
// "1h0m0s" is neither. Whole days are written as D (never W, which RFC 5545
// does not let be combined with other units); a day is 24 hours. Sub-second
// parts are truncated toward zero. Inside the time part, a zero minute
// between non-zero hours and seconds is written (PT1H0M5S), as RFC 5545's
// grammar requires.
func Format(d time.Duration) string {
	var b [40]byte
	return string(Append(b[:0], d))
}

// Append appends Format(d) to b without allocating: the feed renderer
// writes a TRIGGER per reminder of every event.
func Append(b []byte, d time.Duration) []byte {
	sec := int64(d / time.Second)
	if sec < 0 {
		b = append(b, '-')
		sec = -sec
	}
	b = append(b, 'P')
	days, rem := sec/86400, sec%86400
	if days > 0 {
		b = strconv.AppendInt(b, days, 10)
		b = append(b, 'D')
		if rem == 0 {
			return b
		}
	}
	b = append(b, 'T')
	h, m, s := rem/3600, rem/60%60, rem%60
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, 'H')
	}
	if m > 0 || h > 0 && s > 0 {
		b = strconv.AppendInt(b, m, 10)
		b = append(b, 'M')
	}
	if s > 0 || rem == 0 {
		b = strconv.AppendInt(b, s, 10)
		b = append(b, 'S')
	}
	return b
}

// Parse reads an RFC 5545 / ISO 8601 duration: an optional sign, P,
// then weeks (W) and days (D), then optionally T and hours (H), minutes (M)
// and seconds (S), each unit at most once and in that order, e.g. P2W, P14D,
// PT1H, P1DT2H30M, -PT15M. It is what the API uses to read reminders, so it
// is deliberately strict about everything that has no exact length or no
// single reading: years and months (P1Y, P1M), fractions (PT1.5H), an empty
// P or T, repeated or out-of-order units, and anything that overflows
// time.Duration are errors that quote the input. Unit letters may be lower
// case. A week is 7 days and a day 24 hours.
func Parse(s string) (time.Duration, error) {
	fail := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("duration %q: %s", s, why)
	}
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i >= len(s) || s[i] != 'P' && s[i] != 'p' {
		return fail("must start with P (after an optional sign)")
	}
	i++
	// units in the order they may appear; rank only grows.
	const (
		rankWeek = iota + 1
		rankDay
		rankTime
		rankHour
		rankMinute
		rankSecond
	)
	units := [...]struct {
		rank int
		size time.Duration
	}{
		'w': {rankWeek, 7 * 24 * time.Hour},
		'd': {rankDay, 24 * time.Hour},
		'h': {rankHour, time.Hour},
		'm': {rankMinute, time.Minute},
		's': {rankSecond, time.Second},
	}
	var total uint64
	rank, components := 0, 0
	inTime := false
	for i < len(s) {
		c := s[i]
		if c == 'T' || c == 't' {
			if inTime {
				return fail("T appears twice")
			}
			inTime, rank = true, rankTime
			i++
			if i == len(s) {
				return fail("T must be followed by hours, minutes or seconds")
			}
			continue
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return fail(fmt.Sprintf("expected a number at offset %d", start))
		}
		if i == len(s) {
			return fail("number " + s[start:] + " has no unit")
		}
		n, err := strconv.ParseUint(s[start:i], 10, 64)
		if err != nil {
			return fail("number " + s[start:i] + " is too large")
		}
		u := s[i]
		if u >= 'A' && u <= 'Z' {
			u |= 0x20
		}
		switch {
		case u == '.' || u == ',':
			return fail("fractions are not supported")
		case u == 'y' || u == 'm' && !inTime:
			return fail("years and months have no fixed length; use weeks or days")
		case u >= 'a' && u <= 'z' && int(u) < len(units) && units[u].rank != 0:
		default:
			return fail(fmt.Sprintf("unknown unit %q", s[i]))
		}
		unit := units[u]
		if unit.rank >= rankHour && !inTime {
			return fail(fmt.Sprintf("unit %c needs T before it", s[i]))
		}
		if unit.rank <= rankDay && inTime {
			return fail(fmt.Sprintf("unit %c cannot follow T", s[i]))
		}
		if unit.rank <= rank {
			return fail(fmt.Sprintf("unit %c is repeated or out of order", s[i]))
		}
		rank = unit.rank
		i++
		if n > math.MaxInt64/uint64(unit.size) {
			return fail("overflows the longest representable duration")
		}
		total += n * uint64(unit.size)
		if total > math.MaxInt64 {
			return fail("overflows the longest representable duration")
		}
		components++
	}
	if components == 0 {
		return fail("has no value")
	}
	if rank == rankTime {
		return fail("T must be followed by hours, minutes or seconds")
	}
	d := time.Duration(total)
	if neg {
		d = -d
	}
	return d, nil
}
