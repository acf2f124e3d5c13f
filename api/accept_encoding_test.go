package api

import "testing"

// TestAcceptsGzip: gzip is accepted when the header names it with a
// weight above zero, in any of the forms RFC 9110 allows.
func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=0.5", true},
		{"gzip; q=1.0", true},
		{"br, gzip;q=0.001", true},
		{"gzip;q=0", false},
		{"gzip;q=0.0", false},
		{"gzip; Q=0.000", false},
		{"gzip;q=nonsense", false},
		{"identity", false},
		{"x-gzip", false},
		{"gzip;q=0, gzip", true},
	} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("Accept-Encoding %q: accepts gzip %v, want %v", tc.header, got, tc.want)
		}
	}
}
