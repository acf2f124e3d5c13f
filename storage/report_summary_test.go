package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestReportSummariesFollowEveryWriteOfOccurrences changes occurrences in
// every way the store can (a booking, a bulk write, a move, a series
// shortened and extended, an instance cancelled and one moved, a
// cancellation, a deletion, an exercise moved with its children, the
// horizon extended) and checks after each that every activity's
// occurrence summary matches its stored occurrences and that the report
// built on the summaries equals the one that reads every occurrence, for
// windows that cut series, start where an occurrence ends, and hold
// zero-length occurrences.
func TestReportSummariesFollowEveryWriteOfOccurrences(t *testing.T) {
	t.Parallel()
	set := models.DefaultSettings()
	set.Planning.Limits.Horizon = 120 * 24 * time.Hour
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			reportSummaries(t, storagetest.OpenWith(t, b.DSN(t), set))
		})
	}
}

func reportSummaries(t *testing.T, s *storage.Store) {
	ctx := context.Background()
	sys := models.System()
	world(t, s)
	now := mustTime(t, "2031-01-01T00:00:00Z")
	s.SetClock(func() time.Time { return now })
	bru, _ := time.LoadLocation("Europe/Brussels")
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, bru) }
	eu := models.Actor{Role: models.RoleViewer, OrganizationID: orgID(t, s, "EU")}
	nato := models.Actor{Role: models.RoleViewer, OrganizationID: orgID(t, s, "NATO")}
	all := []models.ReportFilter{
		{From: at(2030, 12, 1, 0), To: at(2032, 1, 1, 0), TimeZone: "Europe/Brussels"},
		{From: at(2031, 2, 3, 11), To: at(2031, 3, 17, 10), TimeZone: "Europe/Brussels"}, // inside series, cutting them
		{From: at(2031, 1, 1, 0), To: at(2031, 2, 1, 0)},
		{From: at(2031, 2, 10, 11), To: at(2031, 2, 10, 12), TimeZone: "America/New_York"}, // from an occurrence's end
		{From: at(2031, 1, 20, 10), To: at(2031, 6, 1, 0)},                                 // from the end of a series' first occurrence
	}
	// check compares the summaries with the occurrences after each step,
	// and the reports only after the steps that change what they count
	// most (each comparison costs two reports).
	check := func(step string, windows []models.ReportFilter, actors ...models.Actor) {
		t.Helper()
		bad, err := s.OccurrenceSummaryMismatchesForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Fatalf("after %s, the summaries of activities %v differ from their occurrences", step, bad)
		}
		if len(actors) == 0 {
			return
		}
		for _, a := range actors {
			for _, w := range windows {
				for _, g := range models.ReportGroupings() {
					f := w
					f.GroupBy = string(g)
					got, want := bothReports(t, s, a, f)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("after %s, %+v by %s from %s to %s:\n got %+v\nwant %+v", step, a, g, f.From, f.To, got, want)
					}
				}
			}
		}
	}
	create := func(in models.ActivityInput) int64 {
		t.Helper()
		if in.Kind == "" {
			in.Kind = "meeting"
		}
		in.TimeZone, in.LeadOrganization = "Europe/Brussels", "EU"
		res, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{OverrideReason: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Activity.ID
	}
	update := func(id int64, change func(*models.ActivityInput)) {
		t.Helper()
		v, err := s.GetActivity(ctx, sys, id)
		if err != nil {
			t.Fatal(err)
		}
		in := v.Input()
		change(&in)
		if _, err := s.UpdateActivity(ctx, sys, id, in, storage.WriteOptions{OverrideReason: "test"}); err != nil {
			t.Fatal(err)
		}
	}

	single := create(models.ActivityInput{Title: "One meeting", Start: at(2031, 2, 10, 10), End: at(2031, 2, 10, 11), Areas: []string{"ukraine"},
		Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}})
	series := create(models.ActivityInput{Title: "Weekly", Start: at(2031, 1, 20, 9), End: at(2031, 1, 20, 10), RRule: "FREQ=WEEKLY;COUNT=10",
		Areas: []string{"ukraine", "sahel"}, Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "NAC"}, {Type: "body", IDOrCode: "PSC"}}, Visibility: []models.Ref{"EU"}})
	other := create(models.ActivityInput{Kind: "workshop", Title: "To cancel", Start: at(2031, 3, 1, 14), End: at(2031, 3, 1, 16), RRule: "FREQ=DAILY;COUNT=3"})
	gone := create(models.ActivityInput{Title: "To delete", Start: at(2031, 2, 20, 14), End: at(2031, 2, 20, 16)})
	w, err := s.NewBulkWriter(sys, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(ctx, []models.BulkActivity{
		{SourceUID: "bulk:1", Input: models.ActivityInput{Kind: "staff_talks", Title: "Bulk series", Start: at(2031, 1, 28, 15), End: at(2031, 1, 28, 16), TimeZone: "Europe/Brussels",
			RRule: "FREQ=WEEKLY;COUNT=6", LeadOrganization: "NATO", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "NAC"}}}},
		{SourceUID: "bulk:2", Input: models.ActivityInput{Kind: "meeting", Title: "Bulk one", Start: at(2031, 3, 17, 9), End: at(2031, 3, 17, 11), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}},
	}); err != nil {
		t.Fatal(err)
	}
	check("bookings and a bulk write", []models.ReportFilter{all[1], all[4]}, eu, nato)

	// An import writes its new events in batches of its own.
	if rep, err := s.Import(ctx, sys, generateCalendar(t, generated{prefix: "summary", n: 8, every: 36 * time.Hour, invalid: -1}), models.ImportOptions{Organization: "EU"}); err != nil || rep.Created != 8 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	check("an import", all[:1], sys)

	update(single, func(in *models.ActivityInput) { in.Start, in.End = at(2031, 4, 2, 10), at(2031, 4, 2, 11) })
	check("a move", nil)
	update(series, func(in *models.ActivityInput) { in.RRule = "FREQ=WEEKLY;COUNT=4" })
	check("a series shortened", nil)
	update(series, func(in *models.ActivityInput) { in.RRule = "FREQ=WEEKLY;COUNT=14" })
	check("a series extended", nil)
	if _, err := s.ChangeOccurrence(ctx, sys, series, at(2031, 2, 3, 9), models.OccurrenceChange{Cancelled: true}, storage.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	movedStart, movedEnd := at(2031, 4, 30, 9), at(2031, 4, 30, 10)
	if _, err := s.ChangeOccurrence(ctx, sys, series, at(2031, 1, 27, 9), models.OccurrenceChange{Start: &movedStart, End: &movedEnd}, storage.WriteOptions{OverrideReason: "test"}); err != nil {
		t.Fatal(err)
	}
	check("an instance cancelled and one moved", all[1:3], sys)
	update(other, func(in *models.ActivityInput) { in.Status = string(models.StatusCancelled) })
	if err := s.DeleteActivity(ctx, sys, gone, 0); err != nil {
		t.Fatal(err)
	}
	check("a cancellation and a deletion", nil)

	if _, err := s.CreateExerciseTemplate(ctx, sys, lifecycleTemplate()); err != nil {
		t.Fatal(err)
	}
	ex, err := s.InstantiateTemplate(ctx, sys, "EU Integrated Resolve", models.ActivityInput{Title: "EU IR 31", Start: at(2031, 11, 14, 9), End: at(2031, 11, 19, 9), TimeZone: "Europe/Brussels"},
		storage.WriteOptions{OverrideReason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveActivity(ctx, sys, ex.Activity.ID, at(2031, 11, 28, 9), storage.WriteOptions{OverrideReason: "test"}); err != nil {
		t.Fatal(err)
	}
	check("an exercise moved with its children", nil)

	open := create(models.ActivityInput{Title: "Open-ended", Start: at(2031, 1, 6, 8), End: at(2031, 1, 6, 9), RRule: "FREQ=WEEKLY;BYDAY=MO"})
	now = now.Add(200 * 24 * time.Hour)
	if n, err := s.ExtendHorizons(ctx); err != nil || n == 0 {
		t.Fatalf("ExtendHorizons = %d, %v (activity %d)", n, err, open)
	}
	check("the horizon extended", all[:1], sys)

	// The store refuses an occurrence that ends where it starts, but the
	// summaries must still count one exactly as the occurrences do.
	for _, id := range []int64{single, series} {
		if err := s.ExecForTest("UPDATE occurrences SET end_s = start_s WHERE activity_id = ?", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.BackfillOccurrenceSummariesForTest(ctx); err != nil {
		t.Fatal(err)
	}
	// Two bodies that no longer exist on one activity, one on another:
	// each activity counts once under "", its occurrences once per body.
	for _, p := range []struct{ activity, ref int64 }{{series, 999001}, {series, 999002}, {single, 999001}} {
		if err := s.ExecForTest("INSERT INTO participants (activity_id, position, type, ref_id, role, required, rsvp) VALUES (?, ?, 'body', ?, 'participant', ?, 'needs_action')",
			p.activity, p.ref, p.ref, true); err != nil {
			t.Fatal(err)
		}
	}
	check("occurrences made zero-length and bodies gone", []models.ReportFilter{all[0], all[3],
		{From: at(2031, 4, 2, 10), To: at(2031, 4, 30, 9)}, {From: at(2031, 2, 10, 9), To: at(2031, 4, 2, 10)}}, sys, eu)
}
