package isoduration

import (
	"fmt"
	"strconv"
	"time"
)

// Period is an ISO 8601 duration that may count calendar units (years,
// months, weeks, days) as well as clock time: the offset of an exercise's
// planning conference "six months before the start" (-P6M) has no fixed
// length, so it is kept in its units and applied to a date on the
// calendar of that date's zone. Parse stays strict for reminders, which
// need an exact length.
type Period struct {
	Negative bool
	Years    int
	Months   int
	// Days counts weeks too (a week is 7 days).
	Days int
	// Clock is the part after T.
	Clock time.Duration
}

// ParsePeriod reads an ISO 8601 duration with calendar units: an optional
// sign, P, then years (Y), months (M), weeks (W) and days (D) in that
// order, then optionally T and hours, minutes and seconds: -P12M, P1M,
// P1Y2M, -P2W, P3DT12H, PT0S. Errors quote the input.
func ParsePeriod(s string) (Period, error) {
	fail := func(why string) (Period, error) {
		return Period{}, fmt.Errorf("duration %q: %s", s, why)
	}
	var p Period
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		p.Negative = s[i] == '-'
		i++
	}
	if i >= len(s) || s[i] != 'P' && s[i] != 'p' {
		return fail("must start with P (after an optional sign)")
	}
	i++
	datePart, clockPart := s[i:], ""
	for j := i; j < len(s); j++ {
		if s[j] == 'T' || s[j] == 't' {
			datePart, clockPart = s[i:j], s[j:]
			if clockPart == "T" || clockPart == "t" {
				return fail("T must be followed by hours, minutes or seconds")
			}
			break
		}
	}
	const order = "ymwd"
	rank, components := -1, 0
	for k := 0; k < len(datePart); {
		start := k
		for k < len(datePart) && datePart[k] >= '0' && datePart[k] <= '9' {
			k++
		}
		if k == start {
			return fail(fmt.Sprintf("expected a number at offset %d", i+start))
		}
		if k == len(datePart) {
			return fail("number " + datePart[start:] + " has no unit")
		}
		n, err := strconv.Atoi(datePart[start:k])
		if err != nil || n > 100000 {
			return fail("number " + datePart[start:k] + " is too large")
		}
		u := datePart[k] | 0x20
		r := -1
		for x := range order {
			if order[x] == u {
				r = x
			}
		}
		switch {
		case u == '.' || u == ',':
			return fail("fractions are not supported")
		case r < 0:
			return fail(fmt.Sprintf("unknown unit %q", datePart[k]))
		case r <= rank:
			return fail(fmt.Sprintf("unit %c is repeated or out of order", datePart[k]))
		}
		rank = r
		switch u {
		case 'y':
			p.Years = n
		case 'm':
			p.Months = n
		case 'w':
			p.Days += 7 * n
		case 'd':
			p.Days += n
		}
		components++
		k++
	}
	if clockPart != "" {
		d, err := Parse("P" + clockPart)
		if err != nil {
			return fail(fmt.Sprintf("time part: %v", err))
		}
		p.Clock = d
		components++
	}
	if components == 0 {
		return fail("has no value")
	}
	return p, nil
}

// AddTo applies the period to t on the calendar of t's location: years,
// months and days move the wall-clock date (so "-P6M" from 14 November
// 10:00 is 14 May 10:00 even across a change of summer time), then the
// clock part is added as elapsed time. A day that does not exist in the
// target month is normalised as time.AddDate does (31 March + P1M is
// 1 May).
func (p Period) AddTo(t time.Time) time.Time {
	sign := 1
	if p.Negative {
		sign = -1
	}
	return t.AddDate(sign*p.Years, sign*p.Months, sign*p.Days).Add(time.Duration(sign) * p.Clock)
}

// IsZero reports a period of no length.
func (p Period) IsZero() bool {
	return p.Years == 0 && p.Months == 0 && p.Days == 0 && p.Clock == 0
}

// String writes the period in its canonical form: -P1Y2M, P10D, PT2H,
// P1DT12H, PT0S (weeks are written as days).
func (p Period) String() string {
	if p.IsZero() {
		return "PT0S"
	}
	b := make([]byte, 0, 24)
	if p.Negative {
		b = append(b, '-')
	}
	b = append(b, 'P')
	for _, part := range []struct {
		n    int
		unit byte
	}{{p.Years, 'Y'}, {p.Months, 'M'}, {p.Days, 'D'}} {
		if part.n != 0 {
			b = strconv.AppendInt(b, int64(part.n), 10)
			b = append(b, part.unit)
		}
	}
	if p.Clock != 0 {
		clock := Append(nil, p.Clock)
		b = append(b, clock[1:]...) // drop Format's P: "T2H"
	}
	return string(b)
}
