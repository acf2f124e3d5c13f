package planning

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLocalSeriesAcrossDSTTransitions follows RFC 5545 §3.3.5 at both
// transitions of Brussels in 2027 (instants worked out by hand: CET is
// UTC+1, CEST UTC+2; clocks go forward on 28 March at 02:00 CET and back on
// 31 October at 03:00 CEST, so 02:00-03:00 is skipped in March and read
// twice in October).
func TestLocalSeriesAcrossDSTTransitions(t *testing.T) {
	t.Parallel()
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := ts("2027-01-01T00:00:00Z")
	for _, tc := range []struct {
		name      string
		start     string
		rule      string
		wantField string
		want      []string
	}{
		// A weekly 02:00 series crossing the repeated hour lands on the
		// first 02:00 (CEST) that night.
		{"fall back: series crosses the repeated hour", "2027-10-24T00:00:00Z", "FREQ=WEEKLY;COUNT=3", "",
			[]string{"2027-10-24T00:00:00Z", "2027-10-31T00:00:00Z", "2027-11-07T01:00:00Z"}},
		{"fall back: series starts on the first 02:00", "2027-10-31T00:00:00Z", "FREQ=WEEKLY;COUNT=3", "",
			[]string{"2027-10-31T00:00:00Z", "2027-11-07T01:00:00Z", "2027-11-14T01:00:00Z"}},
		// The bench generator's failure: a series starting on the second
		// 02:00 (CET). Refused on "start", naming the first instant.
		{"fall back: series starts on the second 02:00", "2027-10-31T01:00:00Z", "FREQ=WEEKLY;COUNT=10", "start", nil},
		// 02:30 does not exist on 28 March: read with the offset before the
		// gap (CET), i.e. 03:30 CEST; the next week is 02:30 CEST again.
		{"spring forward: series crosses the gap", "2027-03-21T01:30:00Z", "FREQ=WEEKLY;COUNT=3", "",
			[]string{"2027-03-21T01:30:00Z", "2027-03-28T01:30:00Z", "2027-04-04T00:30:00Z"}},
		// A start the rule does not produce is the first instance and
		// counts towards COUNT (RFC 5545 §3.8.5.3).
		{"start not produced by the rule", "2027-03-22T09:00:00Z", "FREQ=WEEKLY;BYDAY=TH;COUNT=3", "",
			[]string{"2027-03-22T09:00:00Z", "2027-03-25T09:00:00Z", "2027-04-01T08:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := ts(tc.start)
			r := Recurrence{Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: tc.rule}
			err := Validate(r, now, DefaultLimits())
			if tc.wantField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.wantField || !strings.Contains(fe.Message, "2027-10-31 02:00:00 CEST") {
					t.Fatalf("Validate = %v, want a %q error naming the first 02:00", err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			occs, err := Expand(r, start, start.AddDate(1, 0, 0), now, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if len(occs) != len(tc.want) {
				t.Fatalf("got %d occurrences %v, want %v", len(occs), occs, tc.want)
			}
			for i, w := range tc.want {
				if !occs[i].Start.Equal(ts(w)) {
					t.Errorf("occurrence %d starts %s, want %s", i, occs[i].Start.Format(time.RFC3339), w)
				}
			}
		})
	}
}
