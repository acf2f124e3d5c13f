package web

import "testing"

// The entry editor's shorthand for offsets and durations becomes ISO
// 8601; anything else reaches the store as typed (upper-cased), which
// judges it.
func TestIsoPeriod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"-12 months", "-P12M"},
		{"-9m", "-P9M"},
		{"+1 month", "P1M"},
		{"1 mois", "P1M"},
		{"-2 weeks", "-P14D"},
		{"3 semaines", "P21D"},
		{"3 days", "P3D"},
		{"-5 jours", "-P5D"},
		{"2d", "P2D"},
		{" -P9M ", "-P9M"},
		{"pt4h", "PT4H"},
		{"soon", "SOON"},
		{"12 fortnights", "12 FORTNIGHTS"},
	} {
		if got := isoPeriod(tc.in); got != tc.want {
			t.Errorf("isoPeriod(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
