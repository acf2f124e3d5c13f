package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// todays are days of loading the tests place the demo around: the day
// this was written, both sides of a year's middle, leap days, far ahead.
var todays = []time.Time{
	time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
	time.Date(2027, 9, 1, 9, 0, 0, 0, time.UTC),
	time.Date(2028, 2, 29, 23, 30, 0, 0, time.UTC),
	time.Date(2030, 8, 31, 12, 0, 0, 0, time.UTC),
	time.Date(2033, 3, 27, 1, 30, 0, 0, time.UTC), // a DST change in Brussels
	time.Date(2041, 12, 31, 12, 0, 0, 0, time.UTC),
}

// TestPlaceKeepsWeekdaysLocalTimesAndReportDates: every activity lands
// within two and a half years of today on the weekday and local time the
// report gives, with that date kept in its description.
func TestPlaceKeepsWeekdaysLocalTimesAndReportDates(t *testing.T) {
	t.Parallel()
	orig, err := Parse()
	if err != nil {
		t.Fatal(err)
	}
	for _, today := range todays {
		t.Run(today.Format(time.DateOnly), func(t *testing.T) {
			t.Parallel()
			d, err := Parse()
			if err != nil {
				t.Fatal(err)
			}
			if err := Place(d, today); err != nil {
				t.Fatal(err)
			}
			first, last := d.Activities[0].Start, d.Activities[0].End
			for i, a := range d.Activities {
				o := orig.Activities[i].ActivityInput
				loc, _ := time.LoadLocation(a.TimeZone)
				was, is := o.Start.In(loc), a.Start.In(loc)
				if was.Weekday() != is.Weekday() || was.Format("15:04") != is.Format("15:04") || o.End.In(loc).Format("15:04") != a.End.In(loc).Format("15:04") {
					t.Errorf("%s: %s → %s (end %s → %s): weekday or local time changed", a.Key, was.Format("Mon 2006-01-02 15:04"), is.Format("Mon 2006-01-02 15:04"), o.End.In(loc).Format("15:04"), a.End.In(loc).Format("15:04"))
				}
				if o.RRule == "" && o.End.Sub(o.Start) != a.End.Sub(a.Start) && civilDays(o.Start.In(loc), o.End.In(loc)) != civilDays(is, a.End.In(loc)) {
					t.Errorf("%s: length changed from %s to %s", a.Key, o.End.Sub(o.Start), a.End.Sub(a.Start))
				}
				want := "In the report: " + o.Start.In(loc).Format("Monday 2 January 2006")
				if o.RRule != "" {
					want = "In the report: from " + o.Start.In(loc).Format("Monday 2 January 2006")
				}
				if !strings.Contains(a.Description, want) {
					t.Errorf("%s: description lacks %q:\n%s", a.Key, want, a.Description)
				}
				if a.Start.Before(first) {
					first = a.Start
				}
				if a.End.After(last) {
					last = a.End
				}
			}
			const year = 365 * 24 * time.Hour
			if today.Sub(first) < year || today.Sub(first) > 5*year/2 || last.Sub(today) < year || last.Sub(today) > 5*year/2 {
				t.Errorf("the demo spans %s to %s around %s", first.Format(time.DateOnly), last.Format(time.DateOnly), today.Format(time.DateOnly))
			}
		})
	}
}

// TestOrdinalRhythmsKeepTheirRank: the monthly hybrid exchange stays on
// the second Tuesday, the annual cyber staff meeting on the third
// Wednesday of January, and their skipped months stay skipped.
func TestOrdinalRhythmsKeepTheirRank(t *testing.T) {
	t.Parallel()
	for _, today := range todays {
		d, err := Parse()
		if err != nil {
			t.Fatal(err)
		}
		if err := Place(d, today); err != nil {
			t.Fatal(err)
		}
		for _, a := range d.Activities {
			o, ok := ordinalDay(a.RRule)
			if !ok {
				continue
			}
			loc, _ := time.LoadLocation(a.TimeZone)
			for _, x := range append([]time.Time{a.Start}, a.ExDates...) {
				l := x.In(loc)
				if l.Weekday() != o.weekday || (l.Day()-1)/7+1 != o.n {
					t.Errorf("%s (today %s): %s is not weekday rank %d", a.Key, today.Format(time.DateOnly), l.Format("Mon 2006-01-02"), o.n)
				}
			}
			if a.Key == "hybrid-monthly" {
				for _, x := range a.ExDates {
					if x.In(loc).Month() != time.August {
						t.Errorf("hybrid-monthly: the summer break moved to %s", x.In(loc).Format("2006-01-02"))
					}
				}
			}
			if a.Key == "cyber-annual" && a.Start.In(loc).Month() != time.January {
				t.Errorf("cyber-annual: starts in %s", a.Start.In(loc).Month())
			}
		}
	}
}

// TestDemoLivesInThePresent loads the demo on several days (the store's
// clock set to each) and finds activities in the coming weeks, on every
// database; a second load on a later day changes nothing.
func TestDemoLivesInThePresent(t *testing.T) {
	t.Parallel()
	for _, today := range todays {
		t.Run(today.Format(time.DateOnly), func(t *testing.T) {
			t.Parallel()
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				s.SetClock(func() time.Time { return today })
				ctx := context.Background()
				sum, err := Load(ctx, s, today)
				if err != nil {
					t.Fatal(err)
				}
				if sum.Existing != 0 || sum.Created < 90 {
					t.Fatalf("first load: %+v", sum)
				}
				page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{From: today, To: today.AddDate(0, 0, 28), ListOptions: models.ListOptions{Limit: models.MaxLimit}})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total < 2 {
					t.Fatalf("%d activities in the four weeks after %s", page.Total, today.Format(time.DateOnly))
				}
				all, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
				if err != nil {
					t.Fatal(err)
				}
				future := 0
				for _, a := range all.Items {
					if a.Start.After(today) {
						future++
					}
				}
				if all.Total != 78 || future < 10 || future > 60 {
					t.Fatalf("%d activities, %d of them after %s", all.Total, future, today.Format(time.DateOnly))
				}
				again, err := Load(ctx, s, today.AddDate(0, 3, 0))
				if err != nil || again.Created != 0 || again.Existing != sum.Created {
					t.Fatalf("second load: %+v %v", again, err)
				}
			})
		})
	}
}
