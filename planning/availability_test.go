package planning

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestFreeSlots(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	kolkata := zone(t, "Asia/Kolkata")
	b := func(s string) time.Time { return at(t, brussels, s) }
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	office := func(from, to string, d time.Duration) SlotQuery {
		return SlotQuery{Duration: d, From: b(from), To: b(to), WorkStart: 9 * time.Hour, WorkEnd: 18 * time.Hour, Days: weekdays, Location: brussels}
	}
	with := func(q SlotQuery, f func(*SlotQuery)) SlotQuery { f(&q); return q }

	cases := []struct {
		name string
		busy []Span
		q    SlotQuery
		want []string // RFC 3339 UTC starts
	}{
		{"after a busy morning, distinct slots", []Span{{b("2025-03-17 09:00"), b("2025-03-17 10:30")}},
			with(office("2025-03-17 00:00", "2025-03-22 00:00", time.Hour), func(q *SlotQuery) { q.Limit = 3 }),
			[]string{"2025-03-17T09:30:00Z", "2025-03-17T10:30:00Z", "2025-03-17T11:30:00Z"}},
		{"a slot must end by the end of working hours", []Span{{b("2025-03-17 00:00"), b("2025-03-17 17:15")}},
			with(office("2025-03-17 00:00", "2025-03-22 00:00", time.Hour), func(q *SlotQuery) { q.Limit = 1 }),
			[]string{"2025-03-18T08:00:00Z"}},
		{"a slot may end exactly at the end of working hours", []Span{{b("2025-03-17 00:00"), b("2025-03-17 17:00")}},
			with(office("2025-03-17 00:00", "2025-03-22 00:00", time.Hour), func(q *SlotQuery) { q.Limit = 1 }),
			[]string{"2025-03-17T16:00:00Z"}},
		{"weekends are excluded", nil,
			with(office("2025-03-22 10:00", "2025-03-29 00:00", time.Hour), func(q *SlotQuery) { q.Limit = 1 }),
			[]string{"2025-03-24T08:00:00Z"}},
		{"busy spans touching the slot are fine", []Span{{b("2025-03-17 09:00"), b("2025-03-17 10:00")}, {b("2025-03-17 11:00"), b("2025-03-17 18:00")}},
			with(office("2025-03-17 00:00", "2025-03-18 00:00", time.Hour), func(q *SlotQuery) { q.Limit = 5 }),
			[]string{"2025-03-17T09:00:00Z"}},
		{"default limit is five", nil,
			office("2025-03-17 00:00", "2025-03-22 00:00", time.Hour),
			[]string{"2025-03-17T08:00:00Z", "2025-03-17T09:00:00Z", "2025-03-17T10:00:00Z", "2025-03-17T11:00:00Z", "2025-03-17T12:00:00Z"}},
		{"limit respected", nil,
			with(office("2025-03-17 00:00", "2025-03-22 00:00", 4*time.Hour), func(q *SlotQuery) { q.Limit = 2 }),
			[]string{"2025-03-17T08:00:00Z", "2025-03-17T12:00:00Z"}},
		{"09:00 local on both sides of the March change", nil,
			with(office("2025-03-28 12:00", "2025-04-05 00:00", 9*time.Hour), func(q *SlotQuery) { q.Days = nil }),
			[]string{"2025-03-29T08:00:00Z", "2025-03-30T07:00:00Z", "2025-03-31T07:00:00Z", "2025-04-01T07:00:00Z", "2025-04-02T07:00:00Z"}},
		{"09:00 local on both sides of the October change", nil,
			with(office("2025-10-25 00:00", "2025-10-28 00:00", time.Hour), func(q *SlotQuery) { q.Days = nil; q.WorkEnd = 10 * time.Hour }),
			[]string{"2025-10-25T07:00:00Z", "2025-10-26T08:00:00Z", "2025-10-27T08:00:00Z"}},
		{"whole day on the spring-forward night skips the missing hour", []Span{{b("2025-03-30 00:00"), b("2025-03-30 01:30")}},
			SlotQuery{Duration: 30 * time.Minute, From: b("2025-03-30 00:00"), To: b("2025-03-31 00:00"), Location: brussels, Step: 30 * time.Minute, Limit: 3},
			[]string{"2025-03-30T00:30:00Z", "2025-03-30T01:00:00Z", "2025-03-30T01:30:00Z"}},
		{"whole days join across midnight", []Span{{b("2025-03-17 00:00"), b("2025-03-17 22:00")}},
			SlotQuery{Duration: 5 * time.Hour, From: b("2025-03-17 00:00"), To: b("2025-03-20 00:00"), Location: brussels, Limit: 1},
			[]string{"2025-03-17T21:00:00Z"}},
		{"but not into a day that is not allowed", []Span{{b("2025-03-17 00:00"), b("2025-03-17 22:00")}},
			SlotQuery{Duration: 5 * time.Hour, From: b("2025-03-17 00:00"), To: b("2025-03-20 00:00"), Location: brussels, Limit: 1, Days: []time.Weekday{time.Monday, time.Wednesday}},
			[]string{"2025-03-18T23:00:00Z"}},
		{"starts align to the step after local midnight", nil,
			with(office("2025-03-17 09:07", "2025-03-18 00:00", time.Hour), func(q *SlotQuery) { q.Limit = 1; q.Step = 20 * time.Minute }),
			[]string{"2025-03-17T08:20:00Z"}},
		{"half-hour zone", nil,
			SlotQuery{Duration: time.Hour, From: at(t, kolkata, "2025-03-17 00:00"), To: at(t, kolkata, "2025-03-18 00:00"), WorkStart: 9 * time.Hour, WorkEnd: 17 * time.Hour, Location: kolkata, Limit: 1},
			[]string{"2025-03-17T03:30:00Z"}},
		{"nil location is UTC", nil,
			SlotQuery{Duration: time.Hour, From: utc(t, "2025-03-17T00:00:00Z"), To: utc(t, "2025-03-18T00:00:00Z"), WorkStart: 9 * time.Hour, WorkEnd: 17 * time.Hour, Limit: 1},
			[]string{"2025-03-17T09:00:00Z"}},
		{"slot must end by To", nil,
			office("2025-03-17 17:30", "2025-03-17 18:00", time.Hour),
			[]string{}},
		{"no free time gives an empty slice", []Span{{b("2025-03-01 00:00"), b("2025-04-01 00:00")}},
			office("2025-03-17 00:00", "2025-03-22 00:00", time.Hour),
			[]string{}},
		{"invalid query gives an empty slice", nil,
			office("2025-03-17 00:00", "2025-03-22 00:00", 0),
			[]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := FreeSlots(c.busy, c.q)
			if got == nil {
				t.Fatal("FreeSlots returned nil; want a non-nil slice")
			}
			starts := make([]string, len(got))
			for i, s := range got {
				starts[i] = s.Start.Format(time.RFC3339)
				if s.End.Sub(s.Start) != c.q.Duration {
					t.Errorf("slot %d lasts %s, want %s", i, s.End.Sub(s.Start), c.q.Duration)
				}
				if s.Start.Location() != time.UTC {
					t.Errorf("slot %d not in UTC", i)
				}
				for _, bz := range c.busy {
					if _, ok := intersect(s, bz); ok {
						t.Errorf("slot %d [%s, %s) overlaps busy [%s, %s)", i, s.Start, s.End, bz.Start, bz.End)
					}
				}
			}
			if !equalStrings(starts, c.want) {
				t.Fatalf("slots %v, want %v", starts, c.want)
			}
		})
	}
}

func TestSlotQueryValidate(t *testing.T) {
	t.Parallel()
	from := utc(t, "2025-03-17T00:00:00Z")
	ok := SlotQuery{Duration: time.Hour, From: from, To: from.AddDate(0, 0, 7), WorkStart: 9 * time.Hour, WorkEnd: 18 * time.Hour}
	with := func(f func(*SlotQuery)) SlotQuery { q := ok; f(&q); return q }
	cases := []struct {
		name  string
		q     SlotQuery
		field string
	}{
		{"valid", ok, ""},
		{"whole day, long slot", with(func(q *SlotQuery) { q.WorkStart, q.WorkEnd, q.Duration = 0, 0, 50*time.Hour }), ""},
		{"zero duration", with(func(q *SlotQuery) { q.Duration = 0 }), "duration"},
		{"duration longer than the working day", with(func(q *SlotQuery) { q.Duration = 10 * time.Hour }), "duration"},
		{"no from", with(func(q *SlotQuery) { q.From = time.Time{} }), "to"},
		{"to before from", with(func(q *SlotQuery) { q.To = q.From.Add(-time.Hour) }), "to"},
		{"search too long", with(func(q *SlotQuery) { q.To = q.From.AddDate(5, 0, 0) }), "to"},
		{"negative work start", with(func(q *SlotQuery) { q.WorkStart = -time.Hour }), "work_start"},
		{"work end past midnight", with(func(q *SlotQuery) { q.WorkEnd = 25 * time.Hour }), "work_end"},
		{"work end before work start", with(func(q *SlotQuery) { q.WorkStart, q.WorkEnd = 18*time.Hour, 9*time.Hour }), "work_end"},
		{"negative limit", with(func(q *SlotQuery) { q.Limit = -1 }), "limit"},
		{"huge limit", with(func(q *SlotQuery) { q.Limit = MaxSlotLimit + 1 }), "limit"},
		{"negative step", with(func(q *SlotQuery) { q.Step = -time.Minute }), "step"},
		{"bad weekday", with(func(q *SlotQuery) { q.Days = []time.Weekday{9} }), "days"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.q.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("Validate = %v, want a FieldError on %q", err, c.field)
			}
		})
	}
}

func TestMergeBusy(t *testing.T) {
	t.Parallel()
	got := mergeBusy([]Span{{h(12), h(13)}, {h(9), h(10)}, {h(10), h(11)}, {h(12.5), h(12.75)}, {h(15), h(15)}, {h(1), h(2)}, {h(20), h(21)}}, h(3), h(20))
	want := []nanoSpan{{h(9).UnixNano(), h(11).UnixNano()}, {h(12).UnixNano(), h(13).UnixNano()}}
	if !slices.Equal(got, want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
}
