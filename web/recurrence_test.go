package web

import (
	"testing"
	"time"
)

func TestRuleWords(t *testing.T) {
	t.Parallel()
	thu := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)
	until := time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		rule   Rule
		en, fr string
	}{
		{Rule{}, "does not repeat", "ne se répète pas"},
		{Rule{Freq: FreqWeekly, Interval: 2, Days: []time.Weekday{time.Thursday}, Count: 30}, "every second Thursday, 30 times", "un jeudi sur deux, 30 fois"},
		{Rule{Freq: FreqWeekly, Interval: 1, Days: []time.Weekday{time.Thursday, time.Monday}}, "every Monday and Thursday", "chaque lundi et jeudi"},
		{Rule{Freq: FreqWeekly, Interval: 2, Days: []time.Weekday{time.Monday, time.Wednesday, time.Friday}}, "every second Monday, Wednesday and Friday", "le lundi, le mercredi et le vendredi, une semaine sur deux"},
		{Rule{Freq: FreqWeekly, Interval: 6, Days: []time.Weekday{time.Tuesday}}, "every 6 weeks on Tuesday", "le mardi, toutes les 6 semaines"},
		{Rule{Freq: FreqWeekly, Interval: 1}, "every week", "chaque semaine"},
		{Rule{Freq: FreqDaily, Interval: 1, Count: 1}, "every day, once", "tous les jours, une fois"},
		{Rule{Freq: FreqDaily, Interval: 5}, "every 5 days", "tous les 5 jours"},
		{Rule{Freq: FreqMonthly, Interval: 1, Until: until}, "every month, until 31 December 2027", "chaque mois, jusqu’au 31 décembre 2027"},
		{Rule{Freq: FreqMonthly, Interval: 3}, "every third month", "un mois sur trois"},
		{Rule{Freq: FreqYearly, Interval: 1}, "every year", "chaque année"},
		{Rule{Freq: FreqYearly, Interval: 2}, "every second year", "tous les deux ans"},
		{Rule{Freq: FreqCustom, Raw: "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=TH"}, "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=TH", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=TH"},
	}
	for _, tt := range tests {
		if got := tt.rule.Words(English, thu); got != tt.en {
			t.Errorf("%+v in English: %q, want %q", tt.rule, got, tt.en)
		}
		if got := tt.rule.Words(French, thu); got != tt.fr {
			t.Errorf("%+v in French: %q, want %q", tt.rule, got, tt.fr)
		}
	}
}

// TestRuleRoundTrip: what the builder writes it reads back; a rule it has
// no control for stays as written.
func TestRuleRoundTrip(t *testing.T) {
	t.Parallel()
	bxl, _ := time.LoadLocation("Europe/Brussels")
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{}, ""},
		{Rule{Freq: FreqWeekly, Interval: 2, Days: []time.Weekday{time.Thursday}, Count: 30}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=30"},
		{Rule{Freq: FreqDaily, Interval: 1, Until: time.Date(2027, 6, 30, 0, 0, 0, 0, bxl)}, "FREQ=DAILY;UNTIL=20270630T215959Z"},
		{Rule{Freq: FreqMonthly, Interval: 1}, "FREQ=MONTHLY"},
	}
	for _, tt := range tests {
		got := tt.rule.RRule(bxl)
		if got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.rule, got, tt.want)
			continue
		}
		back := ParseRule(got, bxl)
		if back.RRule(bxl) != got {
			t.Errorf("%q read back as %+v (%q)", got, back, back.RRule(bxl))
		}
	}
	for _, raw := range []string{"FREQ=MONTHLY;BYSETPOS=-1;BYDAY=TH", "FREQ=MONTHLY;BYDAY=1MO", "FREQ=YEARLY;BYMONTH=1", "NOT A RULE"} {
		if r := ParseRule(raw, bxl); r.Freq != FreqCustom || r.RRule(bxl) != raw {
			t.Errorf("%q: %+v, want kept as written", raw, r)
		}
	}
}
