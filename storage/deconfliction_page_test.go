package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAgendaPagesMakeTheAgenda: the agenda asked a page at a time, with
// pages of 7 and 50 items (and of 1 for the system in one window), gives exactly the whole window's agenda —
// the same items in the same order, none twice, none lost at a page's or
// a computed part's edge — for the system and planners of both
// organisations, with every rule the crowded world raises plus buffers
// (a buffer clash is placed before its occurrence) and an external
// calendar out of date (a warning placed at its activity's first
// occurrence); and a cursor this service did not issue is refused.
func TestAgendaPagesMakeTheAgenda(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		start, actors := crowdedAgendaWorld(t, s)
		venues, err := s.ListVenues(ctx, models.VenueFilter{ListOptions: models.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		buffered := 0
		for _, v := range venues.Items {
			if v.Code == "ROOM-1" || v.Code == "ROOM-2" { // 40 min and 3 h: longer than a part's edge effects
				in := v.Input()
				in.BufferSeconds = map[string]int{"ROOM-1": 2400, "ROOM-2": 3 * 3600}[v.Code]
				if _, err := s.UpdateVenue(ctx, sys, v.ID, v.Version, in); err != nil {
					t.Fatal(err)
				}
				buffered++
			}
		}
		if buffered != 2 {
			t.Fatalf("%d venues buffered: the data set proves nothing", buffered)
		}
		// Created at the start, never synced: out of date by the 12th day.
		s.SetClock(func() time.Time { return start })
		if _, err := s.CreateExternalCalendar(ctx, sys, models.ExternalCalendarInput{Name: "Staff 3's other diary", URL: "https://diary.example/staff3.ics",
			Blocks: models.FeedOwner{Type: "person", IDOrCode: "staff3@scale.example"}}); err != nil {
			t.Fatal(err)
		}
		s.SetClock(func() time.Time { return start.AddDate(0, 0, 12) })
		windows := []models.ConflictFilter{
			{From: start.AddDate(0, 0, 9), To: start.AddDate(0, 0, 13)},
			{From: start.AddDate(0, 0, 2).Add(7 * 3600e9), To: start.AddDate(0, 0, 5), Severity: "soft"},
			{From: start.AddDate(0, 0, 14), To: start.AddDate(0, 0, 16), Organization: "EU"},
		}
		rules := map[string]int{}
		for _, a := range actors {
			for _, f := range windows {
				whole, err := s.ListConflicts(ctx, a, f)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := json.Marshal(whole)
				for _, c := range whole {
					rules[c.Rule]++
				}
				limits := []int{7, 50}
				if a.Role == models.RoleAdmin && f.Severity != "" {
					limits = append(limits, 1) // a page per item: every item an edge
				}
				for _, limit := range limits {
					var paged []models.ListedConflict
					cursor, pages := "", 0
					for {
						page, err := s.ListConflictsPage(ctx, a, f, models.ListOptions{Limit: limit, Cursor: cursor})
						if err != nil {
							t.Fatal(err)
						}
						pages++
						if len(page.Items) > limit || (page.NextCursor != "" && len(page.Items) != limit) {
							t.Fatalf("%s %v limit %d: a page of %d items, next %q", a.Name, f, limit, len(page.Items), page.NextCursor)
						}
						paged = append(paged, page.Items...)
						if cursor = page.NextCursor; cursor == "" {
							break
						}
						if pages > len(whole)+1 {
							t.Fatalf("%s %v limit %d: %d pages for %d items", a.Name, f, limit, pages, len(whole))
						}
					}
					got, _ := json.Marshal(paged)
					if string(got) != string(want) {
						t.Fatalf("%s %v limit %d: the pages (%d items) differ from the agenda (%d items)\n got %.3000s\nwant %.3000s", a.Name, f, limit, len(paged), len(whole), got, want)
					}
				}
			}
		}
		for _, rule := range []string{"buffer", "external_stale", "blackout", "person_double_booked", models.RuleRequiredDeclined} {
			if rules[rule] == 0 {
				t.Errorf("no %s item in any window: the data set proves nothing (%v)", rule, rules)
			}
		}
		t.Logf("items by rule over every actor and window: %v", rules)
		for _, bad := range []string{"nope", "bm9wZQ", "eHwyfGE"} { // not base64; "nope"; "x|2|a"
			var invalid *models.ValidationError
			if _, err := s.ListConflictsPage(ctx, sys, windows[0], models.ListOptions{Cursor: bad}); !errors.As(err, &invalid) || invalid.Errors[0].Field != "cursor" {
				t.Errorf("cursor %q: %v, want a validation error on cursor", bad, err)
			}
		}
		if _, err := s.ListConflictsPage(ctx, sys, windows[0], models.ListOptions{Limit: models.MaxLimit + 1}); err == nil {
			t.Error(fmt.Sprint("a limit over ", models.MaxLimit, " was taken"))
		}
	})
}

// TestAgendaWholeWindowBounded: the agenda of a whole window holding more
// activities than it covers is refused with a validation error naming
// to — never answered in part — while its pages still answer it all; and
// the agenda of the exercises alone finds the whole agenda's planning
// overlaps.
func TestAgendaWholeWindowBounded(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		start, _ := crowdedAgendaWorld(t, s)
		f := models.ConflictFilter{From: start.AddDate(0, 0, 9), To: start.AddDate(0, 0, 13)}
		whole, err := s.ListConflicts(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		// The exercises' agenda alone (the programme's) finds every
		// planning overlap the whole agenda finds.
		overlaps := func(list []models.ListedConflict) string {
			var out []models.ListedConflict
			for _, c := range list {
				if c.Rule == "planning_overlap" {
					out = append(out, c)
				}
			}
			raw, _ := json.Marshal(out)
			return string(raw)
		}
		exercises, err := s.ListConflicts(ctx, sys, models.ConflictFilter{From: f.From, To: f.To, Kinds: []models.Kind{models.KindExercise, models.KindExercisePhase}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := overlaps(exercises), overlaps(whole); got != want || len(want) < 10 {
			t.Fatalf("the exercises' agenda has other planning overlaps:\n got %.2000s\nwant %.2000s", got, want)
		}
		s.SetReportCap(40) // the window holds about 130 activities
		var invalid *models.ValidationError
		if _, err := s.ListConflicts(ctx, sys, f); !errors.As(err, &invalid) || invalid.Errors[0].Field != "to" {
			t.Fatalf("a window over the cap: %v, want a validation error naming to", err)
		}
		var paged []models.ListedConflict
		for cursor := "start"; cursor != ""; {
			if cursor == "start" {
				cursor = ""
			}
			page, err := s.ListConflictsPage(ctx, sys, f, models.ListOptions{Limit: 100, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			paged, cursor = append(paged, page.Items...), page.NextCursor
		}
		if len(paged) != len(whole) || len(whole) < 100 {
			t.Fatalf("the pages under the cap hold %d items, the whole agenda %d", len(paged), len(whole))
		}
	})
}
