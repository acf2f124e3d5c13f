package isoduration

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "PT0S"},
		{time.Hour, "PT1H"},
		{15 * time.Minute, "PT15M"},
		{90 * time.Minute, "PT1H30M"},
		{time.Hour + 5*time.Second, "PT1H0M5S"},
		{61 * time.Second, "PT1M1S"},
		{24 * time.Hour, "P1D"},
		{14 * 24 * time.Hour, "P14D"},
		{26 * time.Hour, "P1DT2H"},
		{24*time.Hour + time.Second, "P1DT1S"},
		{-time.Hour, "-PT1H"},
		{-(2*24*time.Hour + 30*time.Minute), "-P2DT30M"},
		{1500 * time.Millisecond, "PT1S"},
		{-1500 * time.Millisecond, "-PT1S"},
		{999 * time.Millisecond, "PT0S"},
		{math.MaxInt64, "P106751DT23H47M16S"},
		{math.MinInt64, "-P106751DT23H47M16S"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := Format(tc.in); got != tc.want {
				t.Errorf("Format(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "PT1H", want: time.Hour},
		{in: "PT0S", want: 0},
		{in: "P14D", want: 14 * day},
		{in: "P2W", want: 14 * day},
		{in: "P1DT2H", want: 26 * time.Hour},
		{in: "P1DT2H30M15S", want: 26*time.Hour + 30*time.Minute + 15*time.Second},
		{in: "PT1H5S", want: time.Hour + 5*time.Second},
		{in: "-PT15M", want: -15 * time.Minute},
		{in: "+PT15M", want: 15 * time.Minute},
		{in: "pt1h", want: time.Hour},
		{in: "P1W2D", want: 9 * day},
		{in: "PT36H", want: 36 * time.Hour},
		{in: "PT9223372036S", want: 9223372036 * time.Second},
		{in: "", wantErr: "must start with P"},
		{in: "1H", wantErr: "must start with P"},
		{in: "-", wantErr: "must start with P"},
		{in: "P", wantErr: "has no value"},
		{in: "PT", wantErr: "T must be followed"},
		{in: "P1DT", wantErr: "T must be followed"},
		{in: "P1Y", wantErr: "years and months"},
		{in: "P1M", wantErr: "years and months"},
		{in: "PT1.5H", wantErr: "fractions"},
		{in: "PT1,5H", wantErr: "fractions"},
		{in: "P1H", wantErr: "needs T"},
		{in: "PT1D", wantErr: "cannot follow T"},
		{in: "PT1M1H", wantErr: "out of order"},
		{in: "P1D1D", wantErr: "out of order"},
		{in: "PT1HT1M", wantErr: "T appears twice"},
		{in: "PT1", wantErr: "has no unit"},
		{in: "PTH", wantErr: "expected a number"},
		{in: "PT1X", wantErr: "unknown unit"},
		{in: "P 1D", wantErr: "expected a number"},
		{in: " PT1H", wantErr: "must start with P"},
		{in: "PT9223372037S", wantErr: "overflows"},
		{in: "P15250285D", wantErr: "overflows"},
		{in: "P106751DT24H", wantErr: "overflows"},
		{in: "PT99999999999999999999S", wantErr: "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"`+tc.in+`"`) {
					t.Fatalf("Parse(%q) = %v, %v; want an error quoting the input and mentioning %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzParseDuration checks that Parse never panics, and that what it
// accepts survives Format and Parse again unchanged.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT1H", "P14D", "P2W", "-P1DT2H3M4S", "pt0s", "P1Y", "PT1.5S", "P106751DT23H47M16S", "+P1W2DT3H"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			if !strings.Contains(err.Error(), "duration") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if d%time.Second != 0 {
			t.Fatalf("Parse(%q) = %v, not whole seconds", s, d)
		}
		formatted := Format(d)
		back, err := Parse(formatted)
		if err != nil || back != d {
			t.Fatalf("Parse(%q) = %v; Format gives %q which parses to %v, %v", s, d, formatted, back, err)
		}
	})
}

// FuzzFormatDuration checks that every duration formats to something
// Parse reads back as the same whole seconds.
func FuzzFormatDuration(f *testing.F) {
	for _, d := range []int64{0, 1, int64(time.Hour), -int64(time.Minute), math.MaxInt64, math.MinInt64} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		d := time.Duration(n)
		s := Format(d)
		back, err := Parse(s)
		if err != nil || back != d/time.Second*time.Second {
			t.Fatalf("Format(%v) = %q, which parses to %v, %v", d, s, back, err)
		}
	})
}
