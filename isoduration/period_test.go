package isoduration

import (
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Period
		str  string
	}{
		{"-P12M", Period{Negative: true, Months: 12}, "-P12M"},
		{"P1M", Period{Months: 1}, "P1M"},
		{"P1Y2M", Period{Years: 1, Months: 2}, "P1Y2M"},
		{"-P2W", Period{Negative: true, Days: 14}, "-P14D"},
		{"P3DT12H", Period{Days: 3, Clock: 12 * time.Hour}, "P3DT12H"},
		{"PT2H30M", Period{Clock: 150 * time.Minute}, "PT2H30M"},
		{"PT0S", Period{}, "PT0S"},
		{"p1m", Period{Months: 1}, "P1M"},
	} {
		got, err := ParsePeriod(tc.in)
		if err != nil {
			t.Fatalf("ParsePeriod(%q): %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("ParsePeriod(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("ParsePeriod(%q).String() = %q, want %q", tc.in, got.String(), tc.str)
		}
	}
	for _, bad := range []string{"", "P", "12M", "PM", "P1M1Y", "P1D1W", "P1.5M", "PT", "P1MT", "P1X", "P1M2M", "PT1Y"} {
		_, err := ParsePeriod(bad)
		if err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), bad) {
			t.Errorf("ParsePeriod(%q): error %q does not quote the input", bad, err)
		}
	}
}

func TestPeriodAddToKeepsWallClockAcrossSummerTime(t *testing.T) {
	t.Parallel()
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	start := time.Date(2022, 11, 14, 9, 0, 0, 0, bru) // winter time
	for _, tc := range []struct {
		p    string
		want time.Time
	}{
		{"-P6M", time.Date(2022, 5, 14, 9, 0, 0, 0, bru)}, // summer time, same wall clock
		{"-P12M", time.Date(2021, 11, 14, 9, 0, 0, 0, bru)},
		{"P1M", time.Date(2022, 12, 14, 9, 0, 0, 0, bru)},
		{"-P2W", time.Date(2022, 10, 31, 9, 0, 0, 0, bru)},
		{"PT2H", time.Date(2022, 11, 14, 11, 0, 0, 0, bru)},
	} {
		p, err := ParsePeriod(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.AddTo(start); !got.Equal(tc.want) {
			t.Errorf("%s from %s = %s, want %s", tc.p, start, got, tc.want)
		}
	}
}
