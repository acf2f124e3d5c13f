package web

import "testing"

// TestISODurationLabel: the API's ISO 8601 lengths as people say them;
// what cannot be read stays as written.
func TestISODurationLabel(t *testing.T) {
	t.Parallel()
	p := &page{}
	for iso, want := range map[string]string{"PT1H": "1 h", "PT90M": "1 h 30", "PT45M": "45 min", "P1D": "24 h", "PT30S": "PT30S", "soon": "soon", "": ""} {
		if got := p.ISODurationLabel(iso); got != want {
			t.Errorf("%q: %q, want %q", iso, got, want)
		}
	}
}
