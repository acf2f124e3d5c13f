package planning

import (
	"math"
	"sync"
	"time"
)

// maxOffsetJump is larger than any change of UTC offset a time zone has ever
// made (Samoa skipped a whole day in 2011), so a wall-clock reading and the
// instants that carry it are never further apart than this.
const maxOffsetJump = 26 * time.Hour

// wallClock returns t's wall-clock reading in loc, carried as a UTC time.
// Calendar arithmetic on the result (add a day, a week, a month) is free of
// DST effects, which is what recurrence and working-hours rules reason in.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, mo, d := l.Date()
	h, mi, s := l.Clock()
	return time.Date(y, mo, d, h, mi, s, l.Nanosecond(), time.UTC)
}

// instantAt converts a wall-clock reading w (carried as UTC) in loc to the
// instant it denotes, following RFC 5545 §3.3.5: a reading that occurs twice
// (autumn fall-back) means the first of its instants, and a reading that
// falls in a gap (spring-forward) is read with the UTC offset in force before
// the gap, so 02:30 on the night clocks jump from 02:00 to 03:00 is 03:30.
// The result is in UTC.
func instantAt(w time.Time, loc *time.Location) time.Time {
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	t := time.Date(y, mo, d, h, mi, s, w.Nanosecond(), loc)
	start, _ := t.ZoneBounds()
	// Far from the last transition the reading is unambiguous and time.Date
	// already found its only instant.
	if (start.IsZero() || t.Sub(start) >= maxOffsetJump) && wallClock(t, loc).Equal(w) {
		return t.UTC()
	}
	return resolveNearTransition(w, loc)
}

// zonePeriod is a stretch of instants during which a zone keeps one offset.
type zonePeriod struct {
	start, end time.Time // zero start or end means unbounded
	offset     time.Duration
}

// resolveNearTransition is the slow path of instantAt for readings close to a
// zone transition. It lists the zone periods that could carry w, keeps the
// earliest instant whose reading is w, and when there is none (w is in a
// gap) applies the offset of the period before the gap.
func resolveNearTransition(w time.Time, loc *time.Location) time.Time {
	var periods []zonePeriod
	probe := w.Add(-maxOffsetJump)
	limit := w.Add(maxOffsetJump)
	for len(periods) < 8 {
		l := probe.In(loc)
		_, off := l.Zone()
		start, end := l.ZoneBounds()
		periods = append(periods, zonePeriod{start: start, end: end, offset: time.Duration(off) * time.Second})
		if end.IsZero() || end.After(limit) {
			break
		}
		probe = end
	}
	var best time.Time
	for _, p := range periods {
		c := w.Add(-p.offset)
		if (p.start.IsZero() || !c.Before(p.start)) && (p.end.IsZero() || c.Before(p.end)) {
			if best.IsZero() || c.Before(best) {
				best = c
			}
		}
	}
	if !best.IsZero() {
		return best.UTC()
	}
	for k := 0; k+1 < len(periods); k++ {
		transition := periods[k].end
		before, after := periods[k].offset, periods[k+1].offset
		if !w.Before(transition.Add(before)) && w.Before(transition.Add(after)) {
			return w.Add(-before).UTC()
		}
	}
	// Unreachable for real zone data; fall back to the library's reading.
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	return time.Date(y, mo, d, h, mi, s, w.Nanosecond(), loc).UTC()
}

// LoadZone resolves an IANA zone name, "" meaning UTC, and reports an unknown
// name (or "Local", the server's own zone, which no activity or person may
// depend on) as a field error the API can show next to the time-zone input.
// It is the one zone loader of planning, notify, the API and the web pages,
// so that all of them accept and refuse the same names.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if loc, ok := loadedZones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, &FieldError{Field: "timezone", Message: "unknown IANA time zone " + quote(name)}
	}
	loadedZones.Store(name, loc)
	return loc, nil
}

// loadedZones keeps the zones LoadZone has loaded, by name (only known
// ones, so at most the IANA list): time.LoadLocation reads and parses the
// zone file on every call, and the conflicts agenda validates and expands
// thousands of series a request, twice each, in a handful of zones.
var loadedZones sync.Map

// wallConverter is instantAt with a memory: it keeps the zone period of the
// last conversion and answers readings well inside that period (more than
// maxOffsetJump from either transition, where a reading has exactly one
// instant) by subtracting its offset. Expanding a series or scanning working
// days converts long runs of readings in the same period, so this turns most
// conversions into integer arithmetic. Not safe for concurrent use; make one
// per call.
type wallConverter struct {
	loc            *time.Location
	valid          bool
	offset         int64 // seconds east of UTC in the cached period
	safeLo, safeHi int64 // Unix seconds: the cached period shrunk by maxOffsetJump on each side
}

func newWallConverter(loc *time.Location) *wallConverter {
	return &wallConverter{loc: loc}
}

// instant returns instantAt(w, loc) and whether the reading exists (false
// when it falls in a DST gap and was moved forward).
func (z *wallConverter) instant(w time.Time) (time.Time, bool) {
	if z.valid {
		if c := w.Unix() - z.offset; c >= z.safeLo && c < z.safeHi {
			return time.Unix(c, int64(w.Nanosecond())).UTC(), true
		}
	}
	t := instantAt(w, z.loc)
	l := t.In(z.loc)
	_, off := l.Zone()
	start, end := l.ZoneBounds()
	z.valid, z.offset = true, int64(off)
	z.safeLo, z.safeHi = math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		z.safeLo = start.Unix() + int64(maxOffsetJump/time.Second)
	}
	if !end.IsZero() {
		z.safeHi = end.Unix() - int64(maxOffsetJump/time.Second)
	}
	return t, wallClock(t, z.loc).Equal(w)
}
