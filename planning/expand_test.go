package planning

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"
)

func TestExpandKeepsLocalTimeAcrossDST(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	cases := []struct {
		name  string
		start string
		rule  string
		want  []string
	}{
		{
			name:  "weekly 10:00 across the March change",
			start: "2025-03-20 10:00", rule: "FREQ=WEEKLY;COUNT=3",
			want: []string{"2025-03-20T09:00:00Z", "2025-03-27T09:00:00Z", "2025-04-03T08:00:00Z"},
		},
		{
			name:  "weekly 10:00 across the October change",
			start: "2025-10-16 10:00", rule: "FREQ=WEEKLY;COUNT=3",
			want: []string{"2025-10-16T08:00:00Z", "2025-10-23T08:00:00Z", "2025-10-30T09:00:00Z"},
		},
		{
			name:  "daily 02:30 meets the spring gap and the autumn overlap",
			start: "2025-03-29 02:30", rule: "FREQ=DAILY;COUNT=3",
			want: []string{"2025-03-29T01:30:00Z", "2025-03-30T01:30:00Z", "2025-03-31T00:30:00Z"},
		},
		{
			name:  "hourly through the spring gap: 02:15 becomes 03:15, which happens once",
			start: "2025-03-30 00:15", rule: "FREQ=HOURLY;COUNT=5",
			want: []string{"2025-03-29T23:15:00Z", "2025-03-30T00:15:00Z", "2025-03-30T01:15:00Z", "2025-03-30T02:15:00Z"},
		},
		{
			name:  "daily 02:30 on the fall-back night is the first 02:30",
			start: "2025-10-25 02:30", rule: "FREQ=DAILY;COUNT=3",
			want: []string{"2025-10-25T00:30:00Z", "2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := at(t, brussels, c.start)
			r := Recurrence{Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: c.rule}
			got, err := Expand(r, start.AddDate(0, 0, -1), start.AddDate(0, 1, 0), start, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if !equalStrings(starts(got), c.want) {
				t.Fatalf("starts = %v, want %v", starts(got), c.want)
			}
			for _, o := range got {
				if o.End.Sub(o.Start) != time.Hour {
					t.Errorf("occurrence %s lasts %s, want 1h (timed events keep their absolute length)", o.Start, o.End.Sub(o.Start))
				}
				if o.Start.Location() != time.UTC || o.End.Location() != time.UTC || o.RecurrenceID.Location() != time.UTC {
					t.Errorf("occurrence %v is not in UTC", o)
				}
				if !o.RecurrenceID.Equal(o.Start) {
					t.Errorf("unmoved occurrence has RecurrenceID %s != Start %s", o.RecurrenceID, o.Start)
				}
			}
		})
	}
}

func TestExpandRules(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	cases := []struct {
		name   string
		start  string // Brussels wall clock, 1h long
		rule   string
		window [2]string // Brussels dates
		want   []string  // Brussels wall clock starts
	}{
		{"every two weeks on Thursday (EADRCC-ERCC)", "2025-01-02 14:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
			[2]string{"2025-01-01", "2025-02-14"}, []string{"2025-01-02 14:00", "2025-01-16 14:00", "2025-01-30 14:00", "2025-02-13 14:00"}},
		{"second Thursday monthly", "2025-01-09 10:00", "FREQ=MONTHLY;BYDAY=2TH",
			[2]string{"2025-01-01", "2025-04-30"}, []string{"2025-01-09 10:00", "2025-02-13 10:00", "2025-03-13 10:00", "2025-04-10 10:00"}},
		{"last Friday monthly", "2025-01-31 09:00", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
			[2]string{"2025-01-01", "2026-01-01"}, []string{"2025-01-31 09:00", "2025-02-28 09:00", "2025-03-28 09:00", "2025-04-25 09:00"}},
		{"last day of the month", "2025-01-31 09:00", "FREQ=MONTHLY;BYMONTHDAY=-1",
			[2]string{"2025-01-01", "2025-04-01"}, []string{"2025-01-31 09:00", "2025-02-28 09:00", "2025-03-31 09:00"}},
		{"31st skips short months", "2025-01-31 09:00", "FREQ=MONTHLY;BYMONTHDAY=31",
			[2]string{"2025-01-01", "2025-06-01"}, []string{"2025-01-31 09:00", "2025-03-31 09:00", "2025-05-31 09:00"}},
		{"last weekday of the month (BYSETPOS)", "2025-01-31 16:00", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
			[2]string{"2025-01-01", "2025-07-01"}, []string{"2025-01-31 16:00", "2025-02-28 16:00", "2025-03-31 16:00", "2025-04-30 16:00", "2025-05-30 16:00", "2025-06-30 16:00"}},
		{"semi-annual staff talks", "2025-03-05 09:00", "FREQ=MONTHLY;INTERVAL=6;BYDAY=1WE",
			[2]string{"2025-01-01", "2026-12-31"}, []string{"2025-03-05 09:00", "2025-09-03 09:00", "2026-03-04 09:00", "2026-09-02 09:00"}},
		{"annual cyber meeting, third Tuesday of January", "2025-01-21 10:00", "FREQ=YEARLY;BYMONTH=1;BYDAY=3TU",
			[2]string{"2025-01-01", "2028-01-31"}, []string{"2025-01-21 10:00", "2026-01-20 10:00", "2027-01-19 10:00", "2028-01-18 10:00"}},
		{"BYMONTH with BYMONTHDAY", "2025-03-15 10:00", "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=15",
			[2]string{"2025-01-01", "2026-12-31"}, []string{"2025-03-15 10:00", "2025-09-15 10:00", "2026-03-15 10:00", "2026-09-15 10:00"}},
		{"UNTIL is inclusive", "2025-01-06 10:00", "FREQ=WEEKLY;UNTIL=20250120T090000Z",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 10:00", "2025-01-13 10:00", "2025-01-20 10:00"}},
		{"date-only UNTIL includes its day", "2025-01-06 10:00", "FREQ=DAILY;UNTIL=20250108",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 10:00", "2025-01-07 10:00", "2025-01-08 10:00"}},
		{"COUNT", "2025-01-06 10:00", "FREQ=DAILY;COUNT=2",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 10:00", "2025-01-07 10:00"}},
		{"several times a day with COUNT", "2025-01-06 09:00", "FREQ=DAILY;BYHOUR=9,15;COUNT=3",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 09:00", "2025-01-06 15:00", "2025-01-07 09:00"}},
		{"repeated BYHOUR values count once", "2025-01-06 09:00", "FREQ=DAILY;BYHOUR=9,9,15;COUNT=3",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 09:00", "2025-01-06 15:00", "2025-01-07 09:00"}},
		{"hourly with UNTIL", "2025-01-06 09:00", "FREQ=HOURLY;INTERVAL=4;UNTIL=20250106T200000Z",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 09:00", "2025-01-06 13:00", "2025-01-06 17:00", "2025-01-06 21:00"}},
		{"lower case and RRULE: prefix are accepted", "2025-01-06 10:00", "rrule:freq=daily;count=2",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 10:00", "2025-01-07 10:00"}},
		{"window in the middle of a series", "2025-01-06 10:00", "FREQ=WEEKLY;BYDAY=MO,TH",
			[2]string{"2026-06-01", "2026-06-12"}, []string{"2026-06-01 10:00", "2026-06-04 10:00", "2026-06-08 10:00", "2026-06-11 10:00"}},
		{"single activity", "2025-01-06 10:00", "",
			[2]string{"2025-01-01", "2025-03-01"}, []string{"2025-01-06 10:00"}},
		{"single activity outside the window", "2025-01-06 10:00", "",
			[2]string{"2025-02-01", "2025-03-01"}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := at(t, brussels, c.start)
			r := Recurrence{Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: c.rule}
			from, to := at(t, brussels, c.window[0]), at(t, brussels, c.window[1])
			got, err := Expand(r, from, to, from, Limits{Horizon: 10 * 365 * 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, len(c.want))
			for i, w := range c.want {
				want[i] = at(t, brussels, w).UTC().Format(time.RFC3339)
			}
			if !equalStrings(starts(got), want) {
				t.Fatalf("starts = %v\nwant %v", starts(got), want)
			}
			if err := Validate(r, start, DefaultLimits()); err != nil && c.name != "last Friday monthly" {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestExpandWindowEdges(t *testing.T) {
	t.Parallel()
	start := utc(t, "2025-01-06T10:00:00Z")
	r := Recurrence{Start: start, End: start.Add(time.Hour), RRule: "FREQ=DAILY"}
	cases := []struct {
		name     string
		from, to string
		want     []string
	}{
		{"occurrence ending at from is excluded", "2025-01-07T11:00:00Z", "2025-01-08T10:00:00Z", []string{}},
		{"occurrence starting at to is excluded", "2025-01-07T11:00:00Z", "2025-01-08T10:00:00Z", []string{}},
		{"occurrence running at from is included", "2025-01-07T10:30:00Z", "2025-01-07T10:31:00Z", []string{"2025-01-07T10:00:00Z"}},
		{"empty window", "2025-01-07T10:00:00Z", "2025-01-07T10:00:00Z", []string{}},
		{"reversed window", "2025-01-08T10:00:00Z", "2025-01-07T10:00:00Z", []string{}},
		{"window before the series", "2024-01-01T00:00:00Z", "2025-01-06T10:00:00Z", []string{}},
		{"exact occurrence", "2025-01-07T10:00:00Z", "2025-01-07T11:00:00Z", []string{"2025-01-07T10:00:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Expand(r, utc(t, c.from), utc(t, c.to), start, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("Expand returned a nil slice; want an empty one")
			}
			if !equalStrings(starts(got), c.want) {
				t.Fatalf("starts = %v, want %v", starts(got), c.want)
			}
		})
	}
}

func TestExpandExceptions(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	mon := at(t, brussels, "2025-03-17 10:00") // weekly on Mondays
	week := func(n int) time.Time { return mon.AddDate(0, 0, 7*n) }
	base := Recurrence{Start: mon, End: mon.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY"}
	window := [2]time.Time{mon, week(4)} // weeks 0..3

	type occ struct{ start, end, rid time.Time }
	cases := []struct {
		name   string
		modify func(r *Recurrence)
		want   []occ
	}{
		{"plain", func(r *Recurrence) {}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(2), week(2).Add(time.Hour), week(2)}, {week(3), week(3).Add(time.Hour), week(3)}}},
		{"EXDATE removes an occurrence (after the DST change)", func(r *Recurrence) { r.ExDates = []time.Time{week(2)} }, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(3), week(3).Add(time.Hour), week(3)}}},
		{"EXDATE given in another zone still matches", func(r *Recurrence) { r.ExDates = []time.Time{week(1).UTC()} }, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(2), week(2).Add(time.Hour), week(2)},
			{week(3), week(3).Add(time.Hour), week(3)}}},
		{"EXDATE can remove the first occurrence", func(r *Recurrence) { r.ExDates = []time.Time{week(0)} }, []occ{
			{week(1), week(1).Add(time.Hour), week(1)}, {week(2), week(2).Add(time.Hour), week(2)},
			{week(3), week(3).Add(time.Hour), week(3)}}},
		{"RDATE adds one, duplicates collapse", func(r *Recurrence) {
			r.RDates = []time.Time{week(1).Add(48 * time.Hour), week(2), week(9)}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(1).Add(48 * time.Hour), week(1).Add(49 * time.Hour), week(1).Add(48 * time.Hour)},
			{week(2), week(2).Add(time.Hour), week(2)}, {week(3), week(3).Add(time.Hour), week(3)}}},
		{"EXDATE removes an RDATE too", func(r *Recurrence) {
			r.RDates = []time.Time{week(1).Add(48 * time.Hour)}
			r.ExDates = []time.Time{week(1).Add(48 * time.Hour), week(3)}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(2), week(2).Add(time.Hour), week(2)}}},
		{"cancelled instance vanishes", func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: week(1), Cancelled: true}}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)},
			{week(2), week(2).Add(time.Hour), week(2)}, {week(3), week(3).Add(time.Hour), week(3)}}},
		{"moved inside the window, re-sorted", func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: week(1), Start: week(2).Add(2 * time.Hour), End: week(2).Add(4 * time.Hour)}}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)},
			{week(2), week(2).Add(time.Hour), week(2)},
			{week(2).Add(2 * time.Hour), week(2).Add(4 * time.Hour), week(1)},
			{week(3), week(3).Add(time.Hour), week(3)}}},
		{"moved out of the window", func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: week(3), Start: week(6), End: week(6).Add(time.Hour)}}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(2), week(2).Add(time.Hour), week(2)}}},
		{"moved into the window from outside", func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: week(5), Start: week(3).Add(24 * time.Hour), End: week(3).Add(25 * time.Hour)}}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(2), week(2).Add(time.Hour), week(2)}, {week(3), week(3).Add(time.Hour), week(3)},
			{week(3).Add(24 * time.Hour), week(3).Add(25 * time.Hour), week(5)}}},
		{"override of an excluded date stays excluded", func(r *Recurrence) {
			r.ExDates = []time.Time{week(1)}
			r.Overrides = []Override{{RecurrenceID: week(1), Start: week(1).Add(time.Hour), End: week(1).Add(2 * time.Hour)}}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)},
			{week(2), week(2).Add(time.Hour), week(2)}, {week(3), week(3).Add(time.Hour), week(3)}}},
		{"override of a non-occurrence is ignored", func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: week(1).Add(time.Minute), Start: week(2).Add(time.Hour), End: week(2).Add(2 * time.Hour)}}
		}, []occ{
			{week(0), week(0).Add(time.Hour), week(0)}, {week(1), week(1).Add(time.Hour), week(1)},
			{week(2), week(2).Add(time.Hour), week(2)}, {week(3), week(3).Add(time.Hour), week(3)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := base
			c.modify(&r)
			got, err := Expand(r, window[0], window[1], mon, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d occurrences %v, want %d", len(got), starts(got), len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if !g.Start.Equal(w.start) || !g.End.Equal(w.end) || !g.RecurrenceID.Equal(w.rid) {
					t.Errorf("occurrence %d = [%s, %s) rid %s; want [%s, %s) rid %s", i,
						g.Start, g.End, g.RecurrenceID, w.start.UTC(), w.end.UTC(), w.rid.UTC())
				}
			}
		})
	}
}

func TestExpandAllDay(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	// A two-day event every Saturday; the one on 29-30 March spans the DST
	// change and is therefore 47 hours long.
	start := at(t, brussels, "2025-03-22")
	r := Recurrence{Start: start, End: start.AddDate(0, 0, 2), TimeZone: "Europe/Brussels", AllDay: true, RRule: "FREQ=WEEKLY;COUNT=3",
		ExDates: []time.Time{time.Date(2025, 4, 5, 0, 0, 0, 0, time.UTC)}} // a DATE value read as UTC midnight
	got, err := Expand(r, start, start.AddDate(0, 1, 0), start, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ start, end string }{
		{"2025-03-21T23:00:00Z", "2025-03-23T23:00:00Z"},
		{"2025-03-28T23:00:00Z", "2025-03-30T22:00:00Z"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %d occurrences (the third is excluded by date)", starts(got), len(want))
	}
	for i, w := range want {
		if got[i].Start.Format(time.RFC3339) != w.start || got[i].End.Format(time.RFC3339) != w.end {
			t.Errorf("occurrence %d = [%s, %s), want [%s, %s)", i, got[i].Start.Format(time.RFC3339), got[i].End.Format(time.RFC3339), w.start, w.end)
		}
	}

	// Override of an all-day instance, identified by its date.
	r.ExDates = nil
	r.Overrides = []Override{{RecurrenceID: time.Date(2025, 3, 29, 0, 0, 0, 0, time.UTC), Cancelled: true}}
	got, err = Expand(r, start, start.AddDate(0, 1, 0), start, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2025-03-21T23:00:00Z", "2025-04-04T22:00:00Z"}; !equalStrings(starts(got), want) {
		t.Fatalf("starts = %v, want %v", starts(got), want)
	}
}

func TestExpandHorizonAndCap(t *testing.T) {
	t.Parallel()
	start := utc(t, "2025-01-01T09:00:00Z")
	daily := Recurrence{Start: start, End: start.Add(time.Hour), RRule: "FREQ=DAILY"}
	now := utc(t, "2025-06-01T00:00:00Z")

	t.Run("never beyond now+horizon", func(t *testing.T) {
		t.Parallel()
		lim := Limits{Horizon: 10 * 24 * time.Hour}
		got, err := Expand(daily, now, now.AddDate(1, 0, 0), now, lim)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 10 || !got[len(got)-1].Start.Before(now.Add(lim.Horizon)) {
			t.Fatalf("got %d occurrences ending %v; want the 10 before the horizon", len(got), starts(got))
		}
	})
	t.Run("default horizon is three years", func(t *testing.T) {
		t.Parallel()
		got, err := Expand(daily, now, now.AddDate(10, 0, 0), now, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1096 {
			t.Fatalf("got %d occurrences, want 1096 (three years of days)", len(got))
		}
	})
	t.Run("cap inside the window is an error, not a truncation", func(t *testing.T) {
		t.Parallel()
		_, err := Expand(daily, now, now.AddDate(0, 0, 30), now, Limits{MaxInstances: 29})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "rrule" {
			t.Fatalf("err = %v, want an rrule FieldError", err)
		}
		got, err := Expand(daily, now, now.AddDate(0, 0, 30), now, Limits{MaxInstances: 30})
		if err != nil || len(got) != 30 {
			t.Fatalf("at the cap: %d occurrences, err %v; want 30, nil", len(got), err)
		}
	})
	t.Run("malformed input is reported, not expanded", func(t *testing.T) {
		t.Parallel()
		bad := daily
		bad.RRule = "FREQ=SECONDLY"
		if _, err := Expand(bad, now, now.AddDate(0, 0, 1), now, Limits{}); err == nil {
			t.Fatal("FREQ=SECONDLY expanded without error")
		}
	})
}

// TestExpandMatchesLibraryReference checks the restarted, 400-year-shifted
// expansion against rrule-go used the plain way (DTSTART in the zone, walked
// from the start), for many rules, zones and windows far from the start.
func TestExpandMatchesLibraryReference(t *testing.T) {
	t.Parallel()
	rules := []string{
		"FREQ=DAILY",
		"FREQ=DAILY;INTERVAL=3",
		"FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
		"FREQ=DAILY;BYMONTH=2,7",
		"FREQ=WEEKLY",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,SU;WKST=SU",
		"FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,SU;WKST=WE",
		"FREQ=MONTHLY",
		"FREQ=MONTHLY;BYDAY=2TH",
		"FREQ=MONTHLY;BYDAY=-1FR",
		"FREQ=MONTHLY;BYMONTHDAY=-1",
		"FREQ=MONTHLY;BYMONTHDAY=31",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,3",
		"FREQ=MONTHLY;INTERVAL=6;BYDAY=1WE",
		"FREQ=MONTHLY;INTERVAL=5",
		"FREQ=YEARLY",
		"FREQ=YEARLY;BYMONTH=1;BYDAY=3TU",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
		"FREQ=YEARLY;BYYEARDAY=100,-1",
		"FREQ=YEARLY;INTERVAL=2;BYDAY=20MO",
		"FREQ=DAILY;BYHOUR=9,15;BYMINUTE=0,30;UNTIL=20300101T000000Z",
		"FREQ=HOURLY;INTERVAL=5;UNTIL=20290101T000000Z",
		"FREQ=HOURLY;INTERVAL=7;BYHOUR=3,10,17;BYMINUTE=15;UNTIL=20290101T000000Z",
		"FREQ=WEEKLY;COUNT=200",
		"FREQ=MONTHLY;BYDAY=TU;COUNT=100",
		"FREQ=WEEKLY;UNTIL=20270315T100000Z",
	}
	zones := []string{"Europe/Brussels", "America/New_York", "Asia/Kolkata", "UTC"}
	offsets := [][2]int{{-1, 40}, {400, 60}, {800, 20}, {1490, 100}} // days from start: window start, length
	for _, name := range zones {
		loc := zone(t, name)
		start := time.Date(2024, 1, 11, 10, 17, 0, 0, loc) // Thursday, second Thursday of January
		for _, rule := range rules {
			for _, off := range offsets {
				from := start.AddDate(0, 0, off[0])
				to := from.AddDate(0, 0, off[1])
				r := Recurrence{Start: start, End: start.Add(90 * time.Minute), TimeZone: name, RRule: rule}
				got, err := Expand(r, from, to, from, DefaultLimits())
				if err != nil {
					t.Fatalf("%s %s: %v", name, rule, err)
				}
				// In the zone only when no start can fall in a DST gap, where
				// time.Date's choice differs from RFC 5545 in some zones.
				for _, inZone := range []bool{false, !strings.Contains(rule, "HOURLY")} {
					want := referenceStarts(t, start, rule, loc, from.Add(-90*time.Minute), to, inZone)
					if !equalStrings(starts(got), want) {
						t.Fatalf("%s %q window %v+%dd (reference in zone: %v):\n got %v\nwant %v", name, rule, from.Format("2006-01-02"), off[1], inZone, starts(got), want)
					}
				}
			}
		}
	}
}

// referenceStarts expands rule the straightforward way, walked from the start,
// plus DTSTART itself, keeping starts in (lo, to). With inZone, DTSTART is in
// loc, as the library documents; otherwise it is the wall clock carried as
// UTC and converted with instantAt.
func referenceStarts(t *testing.T, start time.Time, rule string, loc *time.Location, lo, to time.Time, inZone bool) []string {
	t.Helper()
	ruleLoc := loc
	if !inZone {
		ruleLoc = time.UTC
	}
	opt, err := rrule.StrToROptionInLocation(rule, ruleLoc)
	if err != nil {
		t.Fatal(err)
	}
	opt.Dtstart = start.In(loc)
	if !inZone {
		opt.Dtstart = wallClock(start, loc)
		if !opt.Until.IsZero() {
			opt.Until = wallClock(opt.Until, loc)
		}
	}
	if opt.Until.IsZero() && opt.Count == 0 {
		// The library's default UNTIL is DTSTART + 290 years.
		opt.Until = to.AddDate(1, 0, 0)
	}
	rr, err := rrule.NewRRule(*opt)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seenStart := false
	add := func(v time.Time) {
		if !inZone {
			v = instantAt(v, loc)
		}
		if v.After(lo) && v.Before(to) {
			out = append(out, v.UTC().Format(time.RFC3339))
		}
	}
	hi := to
	if !inZone {
		hi = wallClock(to, loc).Add(maxOffsetJump)
	}
	for _, v := range rr.Between(opt.Dtstart.Add(-time.Hour), hi, false) {
		if v.Equal(opt.Dtstart) {
			seenStart = true
		} else if v.After(opt.Dtstart) && !seenStart {
			add(opt.Dtstart)
			seenStart = true
		}
		add(v)
	}
	if !seenStart {
		add(opt.Dtstart)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func ExampleExpand() {
	brussels, _ := time.LoadLocation("Europe/Brussels")
	start := time.Date(2025, 3, 20, 10, 0, 0, 0, brussels)
	r := Recurrence{
		Start: start, End: start.Add(90 * time.Minute), TimeZone: "Europe/Brussels",
		RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
	}
	occs, err := Expand(r, start, start.AddDate(0, 0, 30), start, DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range occs {
		fmt.Println(o.Start.In(brussels).Format("Mon 2006-01-02 15:04 MST"), "=", o.Start.Format(time.RFC3339))
	}
	// Output:
	// Thu 2025-03-20 10:00 CET = 2025-03-20T09:00:00Z
	// Thu 2025-04-03 10:00 CEST = 2025-04-03T08:00:00Z
	// Thu 2025-04-17 10:00 CEST = 2025-04-17T08:00:00Z
}

// Series that began centuries before the window still expand exactly: the
// restart arithmetic must not overflow time.Duration (292 years).
func TestExpandCenturiesAfterStart(t *testing.T) {
	t.Parallel()
	start := time.Date(1500, 1, 1, 6, 30, 0, 0, time.UTC)
	from := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	for _, rule := range []string{"FREQ=DAILY;INTERVAL=2", "FREQ=HOURLY;INTERVAL=5;UNTIL=30000101T000000Z", "FREQ=WEEKLY;INTERVAL=3"} {
		r := Recurrence{Start: start, End: start.Add(time.Hour), RRule: rule}
		got, err := Expand(r, from, from.AddDate(0, 0, 30), from, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		want := referenceStarts(t, start, rule, time.UTC, from.Add(-time.Hour), from.AddDate(0, 0, 30), false)
		if len(want) == 0 || !equalStrings(starts(got), want) {
			t.Fatalf("%s:\n got %v\nwant %v", rule, starts(got), want)
		}
	}
}

// A COUNT rule is walked from its start; the library must not give up 290
// years after it.
func TestExpandOldCountRule(t *testing.T) {
	t.Parallel()
	start := time.Date(1700, 3, 1, 12, 0, 0, 0, time.UTC)
	r := Recurrence{Start: start, End: start.Add(time.Hour), RRule: "FREQ=YEARLY;COUNT=400"}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := Expand(r, from, from.AddDate(2, 0, 0), from, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2025-03-01T12:00:00Z", "2026-03-01T12:00:00Z"}; !equalStrings(starts(got), want) {
		t.Fatalf("starts %v, want %v", starts(got), want)
	}
}
