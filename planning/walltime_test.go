package planning

import (
	"testing"
	"time"
)

func TestInstantAt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, zone, wall, want string
	}{
		{"plain winter time", "Europe/Brussels", "2025-01-15 10:00", "2025-01-15T09:00:00Z"},
		{"plain summer time", "Europe/Brussels", "2025-07-15 10:00", "2025-07-15T08:00:00Z"},
		{"just before the spring gap", "Europe/Brussels", "2025-03-30 01:59", "2025-03-30T00:59:00Z"},
		{"in the spring gap: offset before the gap", "Europe/Brussels", "2025-03-30 02:30", "2025-03-30T01:30:00Z"},
		{"right after the spring gap", "Europe/Brussels", "2025-03-30 03:00", "2025-03-30T01:00:00Z"},
		{"ambiguous autumn time: first instant", "Europe/Brussels", "2025-10-26 02:30", "2025-10-26T00:30:00Z"},
		{"ambiguous autumn start: first instant", "Europe/Brussels", "2025-10-26 02:00", "2025-10-26T00:00:00Z"},
		{"after the autumn overlap", "Europe/Brussels", "2025-10-26 03:00", "2025-10-26T02:00:00Z"},
		{"New York gap (RFC 5545 example)", "America/New_York", "2007-03-11 02:30", "2007-03-11T07:30:00Z"},
		{"New York overlap (RFC 5545 example)", "America/New_York", "2007-11-04 01:30", "2007-11-04T05:30:00Z"},
		{"Lord Howe half-hour overlap", "Australia/Lord_Howe", "2025-04-06 01:45", "2025-04-05T14:45:00Z"},
		{"Samoa skipped day", "Pacific/Apia", "2011-12-30 12:00", "2011-12-30T22:00:00Z"},
		{"UTC", "UTC", "2025-03-30 02:30", "2025-03-30T02:30:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			loc := zone(t, c.zone)
			w := at(t, time.UTC, c.wall)
			got := instantAt(w, loc)
			if got.Format(time.RFC3339) != c.want {
				t.Fatalf("instantAt(%s in %s) = %s, want %s", c.wall, c.zone, got.Format(time.RFC3339), c.want)
			}
			if got.Location() != time.UTC {
				t.Fatalf("instantAt returned zone %v, want UTC", got.Location())
			}
		})
	}
}

// Every existing reading must survive a round trip through wallClock, and the
// instant chosen must be the earliest carrying it.
func TestInstantAtRoundTripsAcrossAYear(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Europe/Brussels", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"} {
		loc := zone(t, name)
		for i := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); i.Year() == 2025; i = i.Add(15 * time.Minute) {
			w := wallClock(i, loc)
			got := instantAt(w, loc)
			if got.After(i) {
				t.Fatalf("%s: instantAt(wallClock(%s)) = %s, later than the instant itself", name, i, got)
			}
			if !wallClock(got, loc).Equal(w) {
				t.Fatalf("%s: instantAt(%s) = %s, which reads %s", name, w, got, wallClock(got, loc))
			}
		}
	}
}

func TestLoadZone(t *testing.T) {
	t.Parallel()
	if loc, err := LoadZone(""); err != nil || loc != time.UTC {
		t.Fatalf(`LoadZone("") = %v, %v; want UTC`, loc, err)
	}
	for _, bad := range []string{"Europe/Bruxelles", "Local", "../etc/passwd"} {
		_, err := LoadZone(bad)
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != "timezone" {
			t.Errorf("LoadZone(%q) = %v, want a timezone FieldError", bad, err)
		}
	}
}

// The converter's shortcut must agree with instantAt everywhere, including
// around transitions and after jumps backwards in time.
func TestWallConverterMatchesInstantAt(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Europe/Brussels", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "UTC"} {
		loc := zone(t, name)
		conv := newWallConverter(loc)
		check := func(w time.Time) {
			got, exists := conv.instant(w)
			want := instantAt(w, loc)
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("%s: converter(%s) = %s, instantAt = %s", name, w, got, want)
			}
			if exists != wallClock(want, loc).Equal(w) {
				t.Fatalf("%s: converter(%s) says exists=%v", name, w, exists)
			}
		}
		for w := time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC); w.Year() < 2013; w = w.Add(37 * time.Minute) {
			check(w)
		}
		for w := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC); w.Year() > 2010; w = w.Add(-13*time.Hour - 11*time.Minute) {
			check(w)
		}
	}
}
