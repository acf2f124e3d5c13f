package planning

import (
	"testing"
	"time"
)

// FuzzExpand feeds random RRULE strings, zones and windows to Validate and
// Expand. Neither may panic or run away; Expand's answer must respect its
// contract (cap, horizon, window, order, UTC), and whatever Validate accepts
// must expand over the horizon.
func FuzzExpand(f *testing.F) {
	seeds := []string{
		"", "FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "FREQ=MONTHLY;BYDAY=2TH", "FREQ=MONTHLY;BYDAY=-1FR",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=YEARLY;BYMONTH=1;BYDAY=3TU", "FREQ=DAILY;COUNT=5000",
		"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;INTERVAL=2;BYHOUR=11;COUNT=3", "FREQ=HOURLY;UNTIL=20300101T000000Z",
		"FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO", "FREQ=YEARLY;BYWEEKNO=-53,1;BYDAY=SU;WKST=SU", "FREQ=YEARLY;BYYEARDAY=366;INTERVAL=4",
		"FREQ=MONTHLY;BYDAY=-5FR;BYSETPOS=-1", "FREQ=WEEKLY;INTERVAL=1000", "FREQ=SECONDLY", "FREQ=MINUTELY;COUNT=3",
		"FREQ=YEARLY;BYSETPOS=366;BYDAY=MO,TU", "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;UNTIL=20260101",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", "FREQ=YEARLY;BYEASTER=-500",
	}
	for i, s := range seeds {
		f.Add(s, int64(i*7919), int64(i*13), uint16(30+i), uint16(60), i%3 == 0, uint8(i))
	}
	zones := []string{"UTC", "Europe/Brussels", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kathmandu"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lim := Limits{Horizon: 3 * 366 * 24 * time.Hour, MaxInstances: 400}

	f.Fuzz(func(t *testing.T, rule string, startMinutes, fromDays int64, windowDays, durMinutes uint16, allDay bool, zoneIdx uint8) {
		if len(rule) > 300 {
			return
		}
		loc, err := time.LoadLocation(zones[int(zoneIdx)%len(zones)])
		if err != nil {
			t.Fatal(err)
		}
		const twentyYears = 20 * 365 * 24 * 60
		start := base.Add(time.Duration(startMinutes%twentyYears) * time.Minute).In(loc)
		end := start.Add(time.Duration(durMinutes%(7*24*60)+1) * time.Minute)
		if allDay {
			y, m, d := start.Date()
			start = time.Date(y, m, d, 0, 0, 0, 0, loc)
			end = start.AddDate(0, 0, int(durMinutes%10)+1)
		}
		from := base.AddDate(0, 0, int(fromDays%(25*365)))
		to := from.AddDate(0, 0, int(windowDays%1200))
		now := from.AddDate(0, 0, -int(windowDays%50))
		r := Recurrence{
			Start: start, End: end, TimeZone: loc.String(), AllDay: allDay, RRule: rule,
			ExDates:   []time.Time{start.AddDate(0, 0, 7)},
			RDates:    []time.Time{start.AddDate(0, 0, 3)},
			Overrides: []Override{{RecurrenceID: start.AddDate(0, 0, 14), Start: from, End: from.Add(time.Hour)}},
		}

		verr := Validate(r, now, lim)
		occs, err := Expand(r, from, to, now, lim)
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("Expand error %v is not a *FieldError", err)
			}
			if verr == nil && to.Sub(from) <= 24*time.Hour {
				t.Fatalf("validated rule %q failed to expand one day: %v", rule, err)
			}
			return
		}
		if len(occs) > lim.MaxInstances {
			t.Fatalf("%d occurrences exceed the cap %d", len(occs), lim.MaxInstances)
		}
		horizon := now.Add(lim.Horizon)
		ids := make(map[time.Time]bool, len(occs))
		for i, o := range occs {
			if ids[o.RecurrenceID] {
				t.Fatalf("recurrence ID %s returned twice", o.RecurrenceID)
			}
			ids[o.RecurrenceID] = true
			if !o.End.After(o.Start) {
				t.Fatalf("occurrence %d is empty: %v", i, o)
			}
			if !o.Start.Before(to) || !o.End.After(from) || !o.Start.Before(horizon) {
				t.Fatalf("occurrence %d [%s, %s) outside window [%s, %s) or horizon %s", i, o.Start, o.End, from, to, horizon)
			}
			if o.Start.Location() != time.UTC || o.End.Location() != time.UTC {
				t.Fatalf("occurrence %d not in UTC: %v", i, o)
			}
			if i > 0 && o.Start.Before(occs[i-1].Start) {
				t.Fatalf("occurrences out of order at %d", i)
			}
		}
		if verr == nil {
			if _, err := Expand(r, now, now.Add(lim.Horizon), now, lim); err != nil {
				t.Fatalf("Validate accepted %q but expanding its horizon fails: %v", rule, err)
			}
		}
	})
}
