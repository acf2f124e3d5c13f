package calendar

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// onset is when an observance starts, as an instant, and what it sets.
type onset struct {
	at     time.Time
	offset int
	name   string
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		t.Fatalf("bad UTC offset %q", s)
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec := 0
	if len(s) == 7 {
		sec, _ = strconv.Atoi(s[5:7])
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off
}

// expandVTimezone turns a VTIMEZONE into the list of onsets up to limit,
// independently of the code that built it: DTSTART is local time in
// TZOFFSETFROM, RRULEs are expanded with rrule-go in local time, UNTIL is UTC.
func expandVTimezone(t *testing.T, comp *ical.Component, limit time.Time) []onset {
	t.Helper()
	var out []onset
	for _, ob := range comp.Children {
		if ob.Name != ical.CompTimezoneStandard && ob.Name != ical.CompTimezoneDaylight {
			t.Fatalf("VTIMEZONE child %s", ob.Name)
		}
		from := parseOffset(t, ob.Props.Get(ical.PropTimezoneOffsetFrom).Value)
		to := parseOffset(t, ob.Props.Get(ical.PropTimezoneOffsetTo).Value)
		name, _ := ob.Props.Text(ical.PropTimezoneName)
		localStart, err := time.Parse("20060102T150405", ob.Props.Get(ical.PropDateTimeStart).Value)
		if err != nil {
			t.Fatalf("DTSTART: %v", err)
		}
		toInstant := func(local time.Time) time.Time { return local.Add(-time.Duration(from) * time.Second) }
		rr := ob.Props.Get(ical.PropRecurrenceRule)
		if rr == nil {
			out = append(out, onset{toInstant(localStart), to, name})
			continue
		}
		opt, err := rrule.StrToROption(rr.Value)
		if err != nil {
			t.Fatalf("RRULE %q: %v", rr.Value, err)
		}
		if strings.Contains(rr.Value, "UNTIL=") && !strings.HasSuffix(rr.Value, "Z") && !strings.Contains(rr.Value, "Z;") {
			t.Errorf("UNTIL in %q is not UTC", rr.Value)
		}
		if !opt.Until.IsZero() {
			opt.Until = opt.Until.Add(time.Duration(from) * time.Second) // into the local frame
		}
		opt.Dtstart = localStart
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			t.Fatal(err)
		}
		first := true
		for _, local := range r.Between(localStart, limit.Add(time.Duration(from)*time.Second), true) {
			if first && !local.Equal(localStart) {
				t.Errorf("RRULE %q does not produce its DTSTART %v", rr.Value, localStart)
			}
			first = false
			out = append(out, onset{toInstant(local), to, name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// offsetAt is the offset and name the VTIMEZONE gives at instant t.
func offsetAt(onsets []onset, t time.Time) (int, string, bool) {
	i := sort.Search(len(onsets), func(i int) bool { return onsets[i].at.After(t) })
	if i == 0 {
		return 0, "", false
	}
	return onsets[i-1].offset, onsets[i-1].name, true
}

func TestVTimezoneMatchesGo(t *testing.T) {
	t.Parallel()
	zones := []string{
		"Europe/Brussels", "America/New_York", "Asia/Tokyo", "UTC", "Etc/GMT-3",
		"America/Sao_Paulo", "Africa/Casablanca", "Australia/Lord_Howe", "Europe/Dublin",
		"Asia/Tehran", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns",
		"Australia/Sydney", "Pacific/Apia", "Europe/Moscow", "Africa/Cairo",
		"America/Santiago", "Asia/Gaza", "Europe/Kyiv", "America/Nuuk",
	}
	spans := []struct{ from, to time.Time }{
		{time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)},
	}
	for _, tz := range zones {
		for _, sp := range spans {
			t.Run(fmt.Sprintf("%s/%s", tz, sp.from.Format("2006-01-02")), func(t *testing.T) {
				t.Parallel()
				loc := mustLoad(t, tz)
				comp, err := VTimezone(tz, sp.from, sp.to)
				if err != nil {
					t.Fatal(err)
				}
				if id, _ := comp.Props.Text(ical.PropTimezoneID); id != tz {
					t.Errorf("TZID %q, want %q", id, tz)
				}
				onsets := expandVTimezone(t, comp, sp.to.AddDate(3, 0, 0))
				check := func(at time.Time) {
					name, want := at.In(loc).Zone()
					got, gotName, ok := offsetAt(onsets, at)
					if !ok {
						t.Fatalf("no observance in effect at %v", at)
					}
					if got != want || gotName != name {
						t.Fatalf("at %v: VTIMEZONE says %d %s, Go says %d %s", at, got, gotName, want, name)
					}
				}
				// Every 6 hours, and one second either side of each of Go's
				// transitions, over the span.
				for at := sp.from; !at.After(sp.to); at = at.Add(6 * time.Hour) {
					check(at)
				}
				check(sp.to)
				for at := sp.from.In(loc); ; {
					_, end := at.ZoneBounds()
					if end.IsZero() || end.After(sp.to) {
						break
					}
					check(end.Add(-time.Second))
					check(end)
					at = end
				}
			})
		}
	}
}

// TestVTimezoneOpenEnded checks that a regular zone's rules carry on past the
// span (so events recurring beyond it still get the right offset) and that a
// zone that stopped DST closes its rule with UNTIL.
func TestVTimezoneOpenEnded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tz       string
		from, to time.Time
		checkTo  time.Time
		untils   int
	}{
		{"Europe/Brussels", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"America/New_York", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		// Sao Paulo stopped DST in 2019: rules up to then end with UNTIL.
		{"America/Sao_Paulo", time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 2},
	}
	for _, tc := range tests {
		t.Run(tc.tz, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, tc.tz)
			comp, err := VTimezone(tc.tz, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			untils := 0
			for _, ob := range comp.Children {
				if rr := ob.Props.Get(ical.PropRecurrenceRule); rr != nil && strings.Contains(rr.Value, "UNTIL=") {
					untils++
				}
			}
			if untils != tc.untils {
				t.Errorf("%d rules with UNTIL, want %d", untils, tc.untils)
			}
			onsets := expandVTimezone(t, comp, tc.checkTo)
			for at := tc.from; at.Before(tc.checkTo); at = at.Add(12 * time.Hour) {
				_, want := at.In(loc).Zone()
				if got, _, _ := offsetAt(onsets, at); got != want {
					t.Fatalf("at %v: VTIMEZONE says %d, Go says %d", at, got, want)
				}
			}
		})
	}
}

func TestVTimezoneShape(t *testing.T) {
	t.Parallel()
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		tz                 string
		standard, daylight int
		rrules             int
	}{
		{"UTC", 1, 0, 0},
		{"Asia/Tokyo", 1, 0, 0},
		{"Etc/GMT+5", 1, 0, 0},
		{"Europe/Brussels", 1, 1, 2},
		// Negative DST: winter GMT is written as STANDARD, summer IST as DAYLIGHT.
		{"Europe/Dublin", 1, 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.tz, func(t *testing.T) {
			t.Parallel()
			comp, err := VTimezone(tc.tz, from, to)
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			rrules := 0
			for _, ob := range comp.Children {
				counts[ob.Name]++
				if ob.Props.Get(ical.PropRecurrenceRule) != nil {
					rrules++
				}
				if tc.tz == "Europe/Dublin" {
					to := parseOffset(t, ob.Props.Get(ical.PropTimezoneOffsetTo).Value)
					if (ob.Name == ical.CompTimezoneDaylight) != (to == 3600) {
						t.Errorf("%s block with offset %d", ob.Name, to)
					}
				}
			}
			if counts[ical.CompTimezoneStandard] != tc.standard || counts[ical.CompTimezoneDaylight] != tc.daylight || rrules != tc.rrules {
				t.Errorf("got %d STANDARD, %d DAYLIGHT, %d RRULE; want %d, %d, %d", counts[ical.CompTimezoneStandard], counts[ical.CompTimezoneDaylight], rrules, tc.standard, tc.daylight, tc.rrules)
			}
		})
	}
}

func TestVTimezoneErrors(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, tz string
		from, to time.Time
		want     string
	}{
		{"empty name", "", now, now, "empty time zone"},
		{"unknown zone", "Europe/Atlantis", now, now, `"Europe/Atlantis"`},
		{"reversed span", "Europe/Brussels", now, now.Add(-time.Hour), "before its start"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := VTimezone(tc.tz, tc.from, tc.to)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %s", err, tc.want)
			}
		})
	}
}
