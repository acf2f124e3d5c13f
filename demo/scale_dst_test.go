package demo

import (
	"testing"
	"time"
)

// TestSeriesStartAvoidsRepeatedHour: the generator stopped at activity
// 24,685 on the second 02:00 of 31 October 2027 in Brussels (issue 16).
func TestSeriesStartAvoidsRepeatedHour(t *testing.T) {
	t.Parallel()
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"2027-10-31T00:00:00Z", "2027-10-31T00:00:00Z"}, // 02:00 CEST, the first 02:00
		{"2027-10-31T01:00:00Z", "2027-10-31T02:00:00Z"}, // 02:00 CET, the second: moved to 03:00 CET
		{"2027-10-31T02:00:00Z", "2027-10-31T02:00:00Z"},
		{"2027-03-28T01:00:00Z", "2027-03-28T01:00:00Z"}, // 03:00 CEST, just after the gap
		{"2026-06-01T08:00:00Z", "2026-06-01T08:00:00Z"},
	} {
		in, _ := time.Parse(time.RFC3339, tc.in)
		want, _ := time.Parse(time.RFC3339, tc.want)
		if got := seriesStart(in, bru); !got.Equal(want) {
			t.Errorf("seriesStart(%s) = %s, want %s", tc.in, got.UTC().Format(time.RFC3339), tc.want)
		}
	}
}
