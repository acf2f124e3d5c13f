package planning

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Defaults and bounds of a SlotQuery.
const (
	DefaultSlotLimit = 5
	DefaultSlotStep  = 15 * time.Minute
	// MaxSlotLimit bounds how many slots one query may ask for.
	MaxSlotLimit = 1000
	// MaxSlotSearch bounds how far apart From and To may be, which bounds
	// the work of one query.
	MaxSlotSearch = 3 * 366 * 24 * time.Hour
)

// SlotQuery describes the free time wanted: how long, between when and when,
// inside which working hours on which days of the week, in whose time zone.
type SlotQuery struct {
	Duration time.Duration
	From, To time.Time
	// WorkStart and WorkEnd are offsets from local midnight in Location,
	// e.g. 9h and 18h: a slot must start and end within one day's working
	// hours. Both 0 means the whole day; consecutive allowed days then join,
	// so a slot may run across midnight.
	WorkStart, WorkEnd time.Duration
	// Days are the allowed days of the week in Location; empty means all.
	Days []time.Weekday
	// Location is the caller's zone for working hours; nil means UTC.
	Location *time.Location
	// Limit is how many slots to return; 0 means DefaultSlotLimit.
	Limit int
	// Step aligns slot starts to multiples of Step after local midnight;
	// 0 means DefaultSlotStep.
	Step time.Duration
}

// Validate reports the first field of q that makes the query meaningless, as
// a *FieldError whose Field is the API parameter name, so that the API can
// explain an empty answer before it happens.
func (q SlotQuery) Validate() error {
	fail := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case q.Duration <= 0:
		return fail("duration", "duration %s must be positive", q.Duration)
	case q.From.IsZero() || q.To.IsZero():
		return fail("to", "from and to are both required")
	case !q.To.After(q.From):
		return fail("to", "to %s must be after from %s", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	case q.To.Sub(q.From) > MaxSlotSearch:
		return fail("to", "the search may span at most %d days, not %d", int(MaxSlotSearch/(24*time.Hour)), int(q.To.Sub(q.From)/(24*time.Hour)))
	case q.WorkStart < 0 || q.WorkStart > 24*time.Hour:
		return fail("work_start", "work_start %s must be between 0 and 24h", q.WorkStart)
	case q.WorkEnd < 0 || q.WorkEnd > 24*time.Hour:
		return fail("work_end", "work_end %s must be between 0 and 24h", q.WorkEnd)
	case !(q.WorkStart == 0 && q.WorkEnd == 0) && q.WorkEnd <= q.WorkStart:
		return fail("work_end", "work_end %s must be after work_start %s", q.WorkEnd, q.WorkStart)
	case q.Limit < 0 || q.Limit > MaxSlotLimit:
		return fail("limit", "limit %d must be between 0 (default %d) and %d", q.Limit, DefaultSlotLimit, MaxSlotLimit)
	case q.Step < 0 || q.Step > 24*time.Hour:
		return fail("step", "step %s must be between 0 (default %s) and 24h", q.Step, DefaultSlotStep)
	}
	start, end := q.workHours()
	if !(start == 0 && end == 24*time.Hour) && q.Duration > end-start {
		return fail("duration", "duration %s does not fit in working hours of %s", q.Duration, end-start)
	}
	for _, d := range q.Days {
		if d < time.Sunday || d > time.Saturday {
			return fail("days", "%d is not a day of the week", d)
		}
	}
	return nil
}

// workHours returns the working span of a day as offsets from midnight.
func (q SlotQuery) workHours() (start, end time.Duration) {
	if q.WorkStart == 0 && q.WorkEnd == 0 {
		return 0, 24 * time.Hour
	}
	return q.WorkStart, q.WorkEnd
}

// FreeSlots returns the earliest slots of q.Duration inside [q.From, q.To)
// that overlap none of the busy spans, within working hours on allowed days
// in q.Location, at most q.Limit of them, in UTC and in order. Working hours
// are wall-clock times: a 09:00 start is 09:00 local on both sides of a DST
// change, and a local time that does not exist that day is skipped.
//
// busy must already be narrowed to the requested resources and to what
// should block (hard conflicts; the caller turns hard blackouts into spans).
// A slot may touch a busy span. Slots returned do not overlap each other, so
// that they are distinct choices: after a slot, the search resumes at its
// end. An invalid query (see SlotQuery.Validate) or a search without a free
// slot gives an empty, non-nil slice.
func FreeSlots(busy []Span, q SlotQuery) []Span {
	out := []Span{}
	if q.Validate() != nil {
		return out
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	limit, step := q.Limit, q.Step
	if limit == 0 {
		limit = DefaultSlotLimit
	}
	if step == 0 {
		step = DefaultSlotStep
	}
	allowed := allowedDays(q.Days)
	workStart, workEnd := q.workHours()
	blocked := mergeBusy(busy, q.From, q.To)

	first := truncateDay(wallClock(q.From, loc))
	last := truncateDay(wallClock(q.To, loc))
	conv := newWallConverter(loc)
	windows := workWindows(first, last, allowed, workStart, workEnd, conv)

	win, b := 0, 0     // current working window and busy span
	next := q.From     // no slot may start before this
	var prev time.Time // last candidate examined, to skip repeated instants
	firstK := int((workStart + step - 1) / step)
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		if !allowed[day.Weekday()] {
			continue
		}
		for k := firstK; time.Duration(k)*step < workEnd; k++ {
			wall := day.Add(time.Duration(k) * step)
			c, exists := conv.instant(wall)
			if !exists || (!prev.IsZero() && !c.After(prev)) {
				continue // in a DST gap, or the same instant as before
			}
			prev = c
			if c.Before(next) {
				continue
			}
			end := c.Add(q.Duration)
			if end.After(q.To) {
				return out
			}
			for win < len(windows) && !windows[win].End.After(c) {
				win++
			}
			if win == len(windows) || c.Before(windows[win].Start) || end.After(windows[win].End) {
				continue
			}
			cn, endn := c.UnixNano(), end.UnixNano()
			for b < len(blocked) && blocked[b].end <= cn {
				b++
			}
			if b < len(blocked) && blocked[b].start < endn {
				continue
			}
			out = append(out, Span{Start: c, End: end})
			if len(out) == limit {
				return out
			}
			next = end
		}
	}
	return out
}

// allowedDays turns a list of weekdays into a lookup table; empty allows all.
func allowedDays(days []time.Weekday) [7]bool {
	var allowed [7]bool
	for _, d := range days {
		allowed[d] = true
	}
	if len(days) == 0 {
		allowed = [7]bool{true, true, true, true, true, true, true}
	}
	return allowed
}

// workWindows returns the working spans of the allowed days from first to last
// (local dates), as instants, joining spans that touch (whole days in a row).
func workWindows(first, last time.Time, allowed [7]bool, workStart, workEnd time.Duration, conv *wallConverter) []Span {
	var out []Span
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		if !allowed[day.Weekday()] {
			continue
		}
		s, _ := conv.instant(day.Add(workStart))
		e, _ := conv.instant(day.Add(workEnd))
		if n := len(out); n > 0 && out[n-1].End.Equal(s) {
			out[n-1].End = e
			continue
		}
		out = append(out, Span{Start: s, End: e})
	}
	return out
}

// nanoSpan is a span as Unix nanoseconds: sorting and comparing these is
// several times cheaper than time.Time values, which carry a pointer.
type nanoSpan struct{ start, end int64 }

// mergeBusy keeps the spans that reach into [from, to), sorts them and joins
// those that overlap or touch, dropping empty ones.
func mergeBusy(in []Span, from, to time.Time) []nanoSpan {
	lo, hi := from.UnixNano(), to.UnixNano()
	spans := make([]nanoSpan, 0, len(in))
	for _, s := range in {
		n := nanoSpan{s.Start.UnixNano(), s.End.UnixNano()}
		if n.end > n.start && n.end > lo && n.start < hi {
			spans = append(spans, n)
		}
	}
	slices.SortFunc(spans, func(a, b nanoSpan) int { return cmp.Compare(a.start, b.start) })
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}
