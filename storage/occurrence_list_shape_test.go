package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestOccurrenceListSameAsBefore: the occurrence list that drives from
// the window (issue 16) answers exactly what the former query (every
// matching activity's id in an IN list) answered, page by page, for two
// planners of different organisations and an administrator, on a data
// set with restricted activities of both organisations, moved and
// cancelled instances, cancelled and deleted activities and a few
// multi-day exercises (the longest occurrence bounds the window scan).
func TestOccurrenceListSameAsBefore(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		base := time.Date(2031, 3, 3, 8, 0, 0, 0, time.UTC)
		orgs := []models.Ref{"EU", "NATO"}
		restricted := map[int64]models.Ref{}
		const n = 120
		for i := 0; i < n; i++ {
			lead := orgs[i%2]
			start := base.Add(time.Duration(i*37%180)*24*time.Hour + time.Duration(i%9)*time.Hour)
			in := models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Meeting %d", i), LeadOrganization: lead,
				Start: start, End: start.Add(time.Duration(1+i%3) * time.Hour), Status: "confirmed", TimeZone: "UTC"}
			switch {
			case i%13 == 0: // a multi-day exercise, once
				in.Kind, in.End = "exercise", start.Add(time.Duration(2+i%4)*24*time.Hour)
			case i%3 == 0:
				in.RRule = "FREQ=WEEKLY;COUNT=8"
			case i%3 == 1:
				in.RRule = "FREQ=DAILY;COUNT=5"
			}
			if i%5 == 0 {
				in.Visibility = []models.Ref{lead}
			}
			if i%17 == 0 {
				in.Status = "cancelled"
			}
			w, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{})
			if err != nil {
				t.Fatalf("activity %d: %v", i, err)
			}
			id, version := w.Activity.ID, w.Activity.Version
			if len(in.Visibility) > 0 {
				restricted[id] = lead
			}
			if in.RRule != "" && i%4 == 0 { // move the second instance, cancel the third
				step := 24 * time.Hour
				if in.RRule == "FREQ=WEEKLY;COUNT=8" {
					step *= 7
				}
				moved := start.Add(step + 26*time.Hour)
				end := moved.Add(90 * time.Minute)
				if _, err := s.ChangeOccurrence(ctx, sys, id, start.Add(step), models.OccurrenceChange{Start: &moved, End: &end}, storage.WriteOptions{}); err != nil {
					t.Fatalf("move an instance of %d: %v", i, err)
				}
				c, err := s.ChangeOccurrence(ctx, sys, id, start.Add(2*step), models.OccurrenceChange{Cancelled: true}, storage.WriteOptions{})
				if err != nil {
					t.Fatalf("cancel an instance of %d: %v", i, err)
				}
				version = c.Activity.Version
			}
			if i%19 == 0 {
				if err := s.DeleteActivity(ctx, sys, id, version); err != nil {
					t.Fatalf("delete %d: %v", i, err)
				}
			}
		}
		if len(restricted) == 0 {
			t.Fatal("the data set has no restricted activity")
		}
		actors := map[string]models.Actor{"admin": sys}
		for _, code := range orgs {
			o, err := s.GetOrganization(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			actors[string(code)] = models.Actor{Name: "planner", Role: models.RolePlanner, OrganizationID: o.ID}
		}
		windows := []struct{ from, to time.Time }{
			{base.Add(-24 * time.Hour), base.Add(30 * 24 * time.Hour)},
			{base.Add(45*24*time.Hour + 5*time.Hour), base.Add(75 * 24 * time.Hour)}, // starts mid-day: overlaps, not only starts
			{base.Add(-400 * 24 * time.Hour), base.Add(-300 * 24 * time.Hour)},       // empty
			{base, base.Add(300 * 24 * time.Hour)},
		}
		filters := []models.ActivityFilter{{}, {Kind: "exercise"}, {Q: "Meeting 1"}, {Status: "cancelled"}, {Organization: "NATO"}}
		seenRestricted := map[string]bool{}
		for name, a := range actors {
			for wi, w := range windows {
				for fi, af := range filters {
					af.From, af.To, af.Limit = w.from, w.to, 100
					f := models.OccurrenceFilter{ActivityFilter: af}
					pages := 0
					for {
						got, err := s.ListOccurrences(ctx, a, f)
						if err != nil {
							t.Fatalf("%s window %d filter %d: %v", name, wi, fi, err)
						}
						want, err := s.ListOccurrencesBeforeIssue16(ctx, a, f)
						if err != nil {
							t.Fatalf("%s window %d filter %d (former query): %v", name, wi, fi, err)
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("%s window %d filter %d page %d: the new query answers\n%+v\nthe former\n%+v", name, wi, fi, pages, got, want)
						}
						for _, o := range got.Items {
							if lead, ok := restricted[o.Activity.ID]; ok {
								if name != "admin" && string(lead) != name {
									t.Fatalf("%s sees %s's restricted activity %d", name, lead, o.Activity.ID)
								}
								seenRestricted[name] = true
							}
						}
						pages++
						if got.NextCursor == "" {
							break
						}
						f.Cursor = got.NextCursor
					}
				}
			}
		}
		for name := range actors {
			if !seenRestricted[name] {
				t.Errorf("%s saw none of its restricted activities: the comparison does not cover them", name)
			}
		}
	})
}
