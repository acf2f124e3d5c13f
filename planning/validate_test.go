package planning

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	brussels := zone(t, "Europe/Brussels")
	mon := at(t, brussels, "2025-03-17 10:00") // a Monday
	now := at(t, brussels, "2025-03-01 00:00")
	weekly := func(rule string) Recurrence {
		return Recurrence{Start: mon, End: mon.Add(time.Hour), TimeZone: "Europe/Brussels", RRule: rule}
	}
	with := func(r Recurrence, f func(*Recurrence)) Recurrence { f(&r); return r }
	midnight := at(t, brussels, "2025-03-17")

	cases := []struct {
		name      string
		r         Recurrence
		lim       Limits
		wantField string // "" = valid
		wantText  string // substring of the message
	}{
		{"single activity", weekly(""), Limits{}, "", ""},
		{"weekly", weekly("FREQ=WEEKLY"), Limits{}, "", ""},
		{"every two weeks on Monday", weekly("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"), Limits{}, "", ""},
		{"hourly with COUNT", weekly("FREQ=HOURLY;COUNT=10"), Limits{}, "", ""},
		{"hourly with UNTIL", weekly("FREQ=HOURLY;INTERVAL=2;UNTIL=20250318T000000Z"), Limits{}, "", ""},
		{"twice a day with UNTIL", weekly("FREQ=DAILY;BYHOUR=10,15;UNTIL=20250401T000000Z"), Limits{}, "", ""},
		{"all-day weekly", Recurrence{Start: midnight, End: midnight.AddDate(0, 0, 1), TimeZone: "Europe/Brussels", AllDay: true, RRule: "FREQ=WEEKLY"}, Limits{}, "", ""},
		{"all-day with date UNTIL", Recurrence{Start: midnight, End: midnight.AddDate(0, 0, 1), TimeZone: "Europe/Brussels", AllDay: true, RRule: "FREQ=DAILY;UNTIL=20250320"}, Limits{}, "", ""},
		{"UTC when no zone", Recurrence{Start: mon, End: mon.Add(time.Hour), RRule: "FREQ=WEEKLY"}, Limits{}, "", ""},
		{"valid override", with(weekly("FREQ=WEEKLY"), func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: mon.AddDate(0, 0, 7), Start: mon.AddDate(0, 0, 8), End: mon.AddDate(0, 0, 8).Add(time.Hour)}}
		}), Limits{}, "", ""},
		{"override of an RDATE", with(weekly(""), func(r *Recurrence) {
			r.RDates = []time.Time{mon.AddDate(0, 0, 3)}
			r.Overrides = []Override{{RecurrenceID: mon.AddDate(0, 0, 3), Cancelled: true}}
		}), Limits{}, "", ""},

		{"missing start", Recurrence{End: mon}, Limits{}, "start", "required"},
		{"missing end", Recurrence{Start: mon}, Limits{}, "end", "required"},
		{"end before start", Recurrence{Start: mon, End: mon.Add(-time.Minute)}, Limits{}, "end", "must be after start"},
		{"end equal to start", Recurrence{Start: mon, End: mon}, Limits{}, "end", "must be after start"},
		{"start in year 500", Recurrence{Start: time.Date(500, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(500, 1, 2, 0, 0, 0, 0, time.UTC)}, Limits{}, "start", "supported years"},
		{"unknown zone", with(weekly(""), func(r *Recurrence) { r.TimeZone = "Europe/Bruxelles" }), Limits{}, "timezone", "Europe/Bruxelles"},
		{"all-day not at midnight", Recurrence{Start: mon, End: mon.AddDate(0, 0, 1), TimeZone: "Europe/Brussels", AllDay: true}, Limits{}, "start", "midnight"},
		{"all-day end not at midnight", Recurrence{Start: midnight, End: mon, TimeZone: "Europe/Brussels", AllDay: true}, Limits{}, "end", "midnight"},

		{"syntax", weekly("FREQ=WEEKLY;BYDAY"), Limits{}, "rrule", "NAME=VALUE"},
		{"no FREQ", weekly("BYDAY=MO"), Limits{}, "rrule", "FREQ is required"},
		{"bad FREQ", weekly("FREQ=FORTNIGHTLY"), Limits{}, "rrule", "FORTNIGHTLY"},
		{"unknown part", weekly("FREQ=WEEKLY;BYFOO=1"), Limits{}, "rrule", "unknown rule part BYFOO"},
		{"duplicate part", weekly("FREQ=WEEKLY;FREQ=DAILY"), Limits{}, "rrule", "twice"},
		{"line break", weekly("FREQ=WEEKLY\nRRULE:FREQ=DAILY"), Limits{}, "rrule", "line breaks"},
		{"DTSTART inside", weekly("FREQ=WEEKLY;DTSTART=20250317T100000"), Limits{}, "rrule", "DTSTART"},
		{"BYEASTER", weekly("FREQ=YEARLY;BYEASTER=0"), Limits{}, "rrule", "BYEASTER"},
		{"SECONDLY", weekly("FREQ=SECONDLY;COUNT=5"), Limits{}, "rrule", "SECONDLY"},
		{"MINUTELY", weekly("FREQ=MINUTELY;COUNT=5"), Limits{}, "rrule", "MINUTELY"},
		{"unbounded HOURLY", weekly("FREQ=HOURLY"), Limits{}, "rrule", "COUNT or UNTIL"},
		{"unbounded twice a day", weekly("FREQ=DAILY;BYHOUR=10,15"), Limits{}, "rrule", "more than once a day"},
		{"too many times per day", weekly("FREQ=DAILY;BYHOUR=10,11,12,13,14;BYMINUTE=0,10,20,30,40,50;COUNT=5"), Limits{}, "rrule", "at most 24"},
		{"unreachable BYHOUR", weekly("FREQ=HOURLY;INTERVAL=2;BYHOUR=11;COUNT=3"), Limits{}, "rrule", "is ever reached"},
		{"COUNT and UNTIL", weekly("FREQ=WEEKLY;COUNT=3;UNTIL=20250401T000000Z"), Limits{}, "rrule", "both"},
		{"COUNT=0", weekly("FREQ=WEEKLY;COUNT=0"), Limits{}, "rrule", "COUNT=0"},
		{"COUNT above the cap", weekly("FREQ=WEEKLY;COUNT=5001"), Limits{}, "rrule", "between 1 and 5000"},
		{"INTERVAL=0", weekly("FREQ=WEEKLY;INTERVAL=0"), Limits{}, "rrule", "INTERVAL=0"},
		{"huge INTERVAL", weekly("FREQ=DAILY;INTERVAL=9223372036854775807"), Limits{}, "rrule", "INTERVAL"},
		{"BYMONTHDAY out of range", weekly("FREQ=MONTHLY;BYMONTHDAY=32"), Limits{}, "rrule", "bymonthday"},
		{"BYWEEKNO with MONTHLY", weekly("FREQ=MONTHLY;BYWEEKNO=3"), Limits{}, "rrule", "BYWEEKNO"},
		{"BYYEARDAY with WEEKLY", weekly("FREQ=WEEKLY;BYYEARDAY=3"), Limits{}, "rrule", "BYYEARDAY"},
		{"BYMONTHDAY with WEEKLY", weekly("FREQ=WEEKLY;BYMONTHDAY=3"), Limits{}, "rrule", "BYMONTHDAY"},
		{"6th Monday of a month", weekly("FREQ=MONTHLY;BYDAY=6MO"), Limits{}, "rrule", "at most 5"},
		{"0th Monday", weekly("FREQ=MONTHLY;BYDAY=0MO"), Limits{}, "rrule", "not be 0"},
		{"numbered weekday with WEEKLY", weekly("FREQ=WEEKLY;BYDAY=1MO"), Limits{}, "rrule", "MONTHLY or YEARLY"},
		{"BYSETPOS alone", weekly("FREQ=MONTHLY;BYSETPOS=1"), Limits{}, "rrule", "BYSETPOS"},
		{"WKST with a number", weekly("FREQ=WEEKLY;WKST=1MO"), Limits{}, "rrule", "WKST"},
		{"BYHOUR on an all-day activity", Recurrence{Start: midnight, End: midnight.AddDate(0, 0, 1), TimeZone: "Europe/Brussels", AllDay: true, RRule: "FREQ=DAILY;BYHOUR=0;COUNT=2"}, Limits{}, "rrule", "all-day"},
		{"start is not an occurrence: it is the first instance (RFC 5545)", weekly("FREQ=WEEKLY;BYDAY=TH"), Limits{}, "", ""},
		{"start at another hour than BYHOUR is an extra first instance", weekly("FREQ=DAILY;BYHOUR=9"), Limits{}, "", ""},
		{"rule that never matches leaves the start alone", weekly("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), Limits{}, "", ""},
		{"UNTIL before start", weekly("FREQ=WEEKLY;UNTIL=20250101T000000Z"), Limits{}, "rrule", "before the start"},
		{"too many occurrences within the horizon", weekly("FREQ=DAILY"), Limits{MaxInstances: 100}, "rrule", "more than 100 occurrences"},
		{"empty EXDATE", with(weekly("FREQ=WEEKLY"), func(r *Recurrence) { r.ExDates = []time.Time{{}} }), Limits{}, "exdates", "exdates[0]"},
		{"empty RDATE", with(weekly("FREQ=WEEKLY"), func(r *Recurrence) { r.RDates = []time.Time{mon, {}} }), Limits{}, "rdates", "rdates[1]"},
		{"override of a non-occurrence", with(weekly("FREQ=WEEKLY"), func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: mon.Add(24 * time.Hour), Cancelled: true}}
		}), Limits{}, "overrides", "not an occurrence"},
		{"override with a backwards span", with(weekly("FREQ=WEEKLY"), func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: mon, Start: mon.Add(time.Hour), End: mon}}
		}), Limits{}, "overrides", "not after its start"},
		{"two overrides of one occurrence", with(weekly("FREQ=WEEKLY"), func(r *Recurrence) {
			r.Overrides = []Override{{RecurrenceID: mon, Cancelled: true}, {RecurrenceID: mon.UTC(), Cancelled: true}}
		}), Limits{}, "overrides", "already"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(c.r, now, c.lim)
			// ValidateAndExpand answers what Validate, then Expand, do.
			to := now.Add(DefaultHorizon)
			occs, invalid, expandErr := ValidateAndExpand(c.r, to, now, c.lim)
			if fmt.Sprint(invalid) != fmt.Sprint(err) {
				t.Fatalf("ValidateAndExpand found %v invalid, Validate %v", invalid, err)
			}
			if err == nil {
				want, wantErr := Expand(c.r, c.r.Start, to, now, c.lim)
				if !reflect.DeepEqual(occs, want) || fmt.Sprint(expandErr) != fmt.Sprint(wantErr) {
					t.Fatalf("ValidateAndExpand expands to %v, %v; Expand %v, %v", occs, expandErr, want, wantErr)
				}
			}
			if c.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError on %q", err, c.wantField)
			}
			if fe.Field != c.wantField || !strings.Contains(fe.Message, c.wantText) {
				t.Fatalf("Validate = {%s: %s}, want field %q with %q", fe.Field, fe.Message, c.wantField, c.wantText)
			}
			if fe.Error() != fe.Field+": "+fe.Message {
				t.Fatalf("Error() = %q", fe.Error())
			}
		})
	}
}

// A rule that Validate accepts must expand over its whole horizon.
func TestValidatedRulesExpand(t *testing.T) {
	t.Parallel()
	start := utc(t, "2025-03-17T10:00:00Z")
	for _, rule := range []string{"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "FREQ=HOURLY;COUNT=5000"} {
		r := Recurrence{Start: start, End: start.Add(time.Hour), RRule: rule}
		if err := Validate(r, start, Limits{}); err != nil {
			t.Fatalf("%s: Validate: %v", rule, err)
		}
		if _, err := Expand(r, start, start.Add(DefaultHorizon), start, Limits{}); err != nil {
			t.Fatalf("%s: Expand over the horizon: %v", rule, err)
		}
		// Years later, the window still expands (and cheaply).
		later := start.AddDate(7, 0, 0)
		if _, err := Expand(r, later, later.AddDate(0, 0, 7), later, Limits{}); err != nil {
			t.Fatalf("%s: Expand seven years on: %v", rule, err)
		}
	}
}
