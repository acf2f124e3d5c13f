package web

import (
	"regexp"
	"strconv"
	"testing"
)

// TestProgrammeLabelStaysInTheChart: an exercise's name goes on the side
// of its bar with more room and is cut to that room, so that a long name
// near either edge never runs past the chart (it widened the whole page).
func TestProgrammeLabelStaysInTheChart(t *testing.T) {
	t.Parallel()
	side := regexp.MustCompile(`^(left|right): calc\(([0-9.]+)% \+ [0-9]+px\); max-width: calc\(([0-9.]+)% - [0-9]+px\)$`)
	for _, tc := range []struct {
		name        string
		left, width float64
		want        string
	}{
		{"at the start", 2, 3, "left"},
		{"right of the middle, where the old rule put the name after the bar", 55, 1, "right"},
		{"left of the middle", 40, 2, "left"},
		{"at the end", 90, 8, "right"},
		{"across the window (a max-width below zero would be dropped)", 0, 100, "none"},
		{"across all but 4 %", 2, 96, "none"},
		{"nearly across the window, room after it", 1, 90, "left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := string(programmeBar{Left: tc.left, Width: tc.width}.LabelStyle())
			if tc.want == "none" {
				if got != "display: none" {
					t.Errorf("style %q: want the name left to the bar", got)
				}
				return
			}
			m := side.FindStringSubmatch(got)
			if m == nil {
				t.Fatalf("style %q: want a side and a max-width", got)
			}
			if m[1] != tc.want {
				t.Errorf("style %q: the name is on the %s, want %s", got, m[1], tc.want)
			}
			at, _ := strconv.ParseFloat(m[2], 64)
			room, _ := strconv.ParseFloat(m[3], 64)
			// The label's far edge: its anchor plus its widest from the
			// anchor's side, which must not pass the chart's other edge.
			if at+room > 100.0001 {
				t.Errorf("style %q: the name may reach %.3f%% of the chart", got, at+room)
			}
		})
	}
}
