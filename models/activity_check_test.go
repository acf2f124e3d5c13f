package models

import (
	"strings"
	"testing"
	"time"
)

// What an activity input says by itself is checked without a database:
// defaults filled, every problem named by its field, reminders in
// canonical form.
func TestActivityInputCheckFields(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 5, 12, 9, 0, 0, 0, time.UTC)
	good := func() ActivityInput {
		return ActivityInput{Kind: string(KindMeeting), Title: "PSC–PSC informal", Start: start, End: start.Add(2 * time.Hour), Reminders: []string{"PT60M", "P1D"}}
	}
	tests := []struct {
		name   string
		change func(*ActivityInput)
		fields []string // the fields in error, in order
	}{
		{"a good input", func(*ActivityInput) {}, nil},
		{"a misspelt kind", func(in *ActivityInput) { in.Kind = "exercize" }, []string{"kind"}},
		{"no title, no times", func(in *ActivityInput) { in.Title, in.Start, in.End = "", time.Time{}, time.Time{} }, []string{"title", "start", "end"}},
		{"an end before the start", func(in *ActivityInput) { in.End = start.Add(-time.Hour) }, []string{"end"}},
		{"longer than allowed", func(in *ActivityInput) { in.End = start.Add(MaxActivitySpan + time.Hour) }, []string{"end"}},
		{"a rule without a zone", func(in *ActivityInput) { in.RRule = "FREQ=WEEKLY" }, []string{"timezone"}},
		{"an unknown zone", func(in *ActivityInput) { in.TimeZone = "Mars/Olympus" }, []string{"timezone"}},
		{"all day at ten", func(in *ActivityInput) { in.AllDay = true }, []string{"start", "end"}},
		{"a relative conference link", func(in *ActivityInput) { in.ConferenceURL = "/bridge" }, []string{"conference_url"}},
		{"an area with capitals", func(in *ActivityInput) { in.Areas = []string{"cyber", "Hybrid Threats"} }, []string{"areas[1]"}},
		{"a reminder after the start", func(in *ActivityInput) { in.Reminders = []string{"PT0S", "soon"} }, []string{"reminders[0]", "reminders[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := good()
			tt.change(&in)
			v := &ValidationError{}
			reminders := in.CheckFields(v)
			var got []string
			for _, e := range v.Errors {
				got = append(got, e.Field)
			}
			if strings.Join(got, " ") != strings.Join(tt.fields, " ") {
				t.Errorf("fields in error %v, want %v (%v)", got, tt.fields, v.Errors)
			}
			if in.Status != string(StatusConfirmed) || in.Format != string(FormatInPerson) {
				t.Errorf("defaults: status %q, format %q", in.Status, in.Format)
			}
			if tt.fields == nil && strings.Join(reminders, " ") != "PT1H P1D" {
				t.Errorf("reminders %v, want the canonical PT1H P1D", reminders)
			}
		})
	}
}
