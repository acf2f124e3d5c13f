package planning

import (
	"testing"
	"time"
)

// TestLongRunningSeriesKeepTheServedWindow: a series older than the
// instance limit allows is kept from now-Past on instead of being refused
// (issue 15, defect 4). Expected figures are counted here day by day, not
// by the rule engine.
func TestLongRunningSeriesKeepTheServedWindow(t *testing.T) {
	t.Parallel()
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	keep := now.Add(-DefaultPast) // 2026-08-30T00:00Z
	for _, tc := range []struct {
		name      string
		start     time.Time
		rule      string
		isDay     func(time.Time) bool
		wantFirst time.Time
	}{
		{"weekday stand-up since 2009", time.Date(2009, 1, 5, 9, 0, 0, 0, bru), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
			func(d time.Time) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday },
			time.Date(2026, 8, 31, 7, 0, 0, 0, time.UTC)}, // Monday 09:00 CEST
		{"daily since 2012", time.Date(2012, 1, 1, 8, 30, 0, 0, bru), "FREQ=DAILY",
			func(time.Time) bool { return true },
			time.Date(2026, 8, 30, 6, 30, 0, 0, time.UTC)}, // Sunday 08:30 CEST
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Recurrence{Start: tc.start, End: tc.start.Add(15 * time.Minute), TimeZone: "Europe/Brussels", RRule: tc.rule}
			if err := Validate(r, now, DefaultLimits()); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			occs, err := Expand(r, r.Start, now.Add(DefaultHorizon), now, DefaultLimits())
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if !occs[0].Start.Equal(tc.wantFirst) {
				t.Errorf("first kept occurrence %s, want %s", occs[0].Start, tc.wantFirst)
			}
			from, dropped, err := Clipped(r, now, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for d := time.Date(tc.start.Year(), tc.start.Month(), tc.start.Day(), 0, 0, 0, 0, time.UTC); ; d = d.AddDate(0, 0, 1) {
				at := time.Date(d.Year(), d.Month(), d.Day(), tc.start.Hour(), tc.start.Minute(), 0, 0, bru)
				if !at.Before(keep) {
					break
				}
				if tc.isDay(d) {
					want++
				}
			}
			if !from.Equal(keep) || dropped != want {
				t.Errorf("Clipped = %s, %d; want %s, %d", from, dropped, keep, want)
			}
		})
	}
	// A series that fits is kept whole and reported as such.
	short := Recurrence{Start: time.Date(2021, 1, 4, 9, 0, 0, 0, bru), End: time.Date(2021, 1, 4, 10, 0, 0, 0, bru), TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY"}
	if from, n, err := Clipped(short, now, DefaultLimits()); err != nil || !from.IsZero() || n != 0 {
		t.Errorf("short series: %s %d %v", from, n, err)
	}
	occs, err := Expand(short, short.Start, now.Add(DefaultHorizon), now, DefaultLimits())
	if err != nil || !occs[0].Start.Equal(short.Start) {
		t.Errorf("short series not kept whole: %v", err)
	}
}
