package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// lifecycleTemplate is a ten-entry exercise life cycle, from concept
// development a year ahead to the after-action review a month after.
func lifecycleTemplate() models.ExerciseTemplateInput {
	entry := func(title, offset, dur string, parts ...models.ParticipantInput) models.TemplateEntry {
		return models.TemplateEntry{Title: title, Offset: offset, Duration: dur, Participants: parts}
	}
	psc := models.ParticipantInput{Type: "body", IDOrCode: "PSC"}
	return models.ExerciseTemplateInput{
		Name: "EU Integrated Resolve", Series: "EU Integrated Resolve", LeadOrganization: "EU",
		Entries: []models.TemplateEntry{
			entry("Concept development", "-P12M", "P2D"),
			entry("Initial planning conference", "-P9M", "P2D", psc),
			entry("Scenario workshop", "-P8M", "P1D"),
			entry("Main planning conference", "-P6M", "P3D", psc),
			entry("Master events list workshop", "-P4M", "P2D"),
			entry("Final planning conference", "-P2M", "P2D", psc),
			entry("Crisis response rehearsal", "-P2W", "PT4H"),
			entry("Conduct", "PT0S", "P5D"),
			entry("Observation strand", "P1D", "P3D"),
			entry("After-action review", "P1M", "P1D", psc),
		},
	}
}

func TestTemplateInstantiationMakesTheExerciseAndItsChildrenAtOnce(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		tpl, err := s.CreateExerciseTemplate(ctx, sys, lifecycleTemplate())
		if err != nil {
			t.Fatal(err)
		}
		if got := tpl.Entries[6].Offset; got != "-P14D" {
			t.Errorf("offset stored as %q, want the canonical -P14D", got)
		}
		planner := models.Actor{Name: "eu", Role: models.RolePlanner, OrganizationID: orgID(t, s, "EU")}
		if _, err := s.CreateExerciseTemplate(ctx, planner, lifecycleTemplate()); !isForbidden(err) {
			t.Errorf("a planner created a template: %v", err)
		}
		bru, _ := time.LoadLocation("Europe/Brussels")
		start := time.Date(2031, 11, 14, 9, 0, 0, 0, bru)
		in := models.ActivityInput{Title: "EU IR 31", Start: start, End: start.AddDate(0, 0, 5), TimeZone: "Europe/Brussels"}
		res, err := s.InstantiateTemplate(ctx, planner, models.Ref(fmt.Sprint(tpl.ID)), in, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Activity.Kind != "exercise" || res.Activity.Series != "EU Integrated Resolve" || res.Activity.LeadOrganization != "EU" {
			t.Errorf("exercise took %s/%q/%s, want the template's kind, series and lead", res.Activity.Kind, res.Activity.Series, res.Activity.LeadOrganization)
		}
		if len(res.Children) != 10 {
			t.Fatalf("%d children, want 10", len(res.Children))
		}
		ipc := res.Children[1]
		if want := time.Date(2031, 2, 14, 9, 0, 0, 0, bru); !ipc.Start.Equal(want) || ipc.Start.In(bru).Hour() != 9 {
			t.Errorf("initial planning conference at %s, want %s (same wall clock in winter)", ipc.Start, want)
		}
		if want := time.Date(2031, 5, 14, 9, 0, 0, 0, bru); !res.Children[3].Start.Equal(want) {
			t.Errorf("main planning conference at %s, want %s (summer time, 09:00 still)", res.Children[3].Start, want)
		}
		for _, c := range res.Children {
			if c.Parent == nil || *c.Parent != res.Activity.ID || c.Kind != "exercise_phase" {
				t.Errorf("child %q: parent %v kind %s", c.Title, c.Parent, c.Kind)
			}
		}
		for _, w := range res.Report.Warnings {
			if w.Rule == "planning_overlap" {
				t.Errorf("the exercise's own phases were reported against each other: %+v", w)
			}
		}
		// A hard conflict on one entry refuses the whole set.
		busy := time.Date(2032, 5, 14, 10, 0, 0, 0, bru)
		if _, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: "PSC meeting", Start: busy, End: busy.Add(time.Hour),
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		before := countActivities(t, s)
		next := models.ActivityInput{Title: "EU IR 32", Start: start.AddDate(1, 0, 0), End: start.AddDate(1, 0, 5), TimeZone: "Europe/Brussels"}
		_, err = s.InstantiateTemplate(ctx, planner, models.Ref("EU Integrated Resolve"), next, storage.WriteOptions{})
		var ce *models.ConflictError
		if !errors.As(err, &ce) || len(ce.Conflicts) != 1 || ce.Conflicts[0].Rule != "body_double_booked" {
			t.Fatalf("want one body_double_booked conflict for the set, got %v", err)
		}
		if after := countActivities(t, s); after != before {
			t.Errorf("a refused instantiation left %d activities behind", after-before)
		}
		forced, err := s.InstantiateTemplate(ctx, planner, models.Ref("EU Integrated Resolve"), next, storage.WriteOptions{OverrideReason: "PSC agreed to move"})
		if err != nil || !forced.Overridden || len(forced.Children) != 10 {
			t.Fatalf("override: %v", err)
		}
	})
}

func TestMovingAnExerciseMovesAllTwelveChildrenOrNone(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		tpl := lifecycleTemplate()
		tpl.Entries = append(tpl.Entries,
			models.TemplateEntry{Title: "Media training", Offset: "-P1M", Duration: "P1D"},
			models.TemplateEntry{Title: "Hot wash-up", Offset: "P5D", Duration: "PT3H"})
		if _, err := s.CreateExerciseTemplate(ctx, sys, tpl); err != nil {
			t.Fatal(err)
		}
		bru, _ := time.LoadLocation("Europe/Brussels")
		start := time.Date(2031, 11, 14, 9, 0, 0, 0, bru)
		planner := models.Actor{Name: "eu", Role: models.RolePlanner, OrganizationID: orgID(t, s, "EU")}
		res, err := s.InstantiateTemplate(ctx, planner, "EU Integrated Resolve", models.ActivityInput{Title: "EU IR 31", Start: start, End: start.AddDate(0, 0, 5), TimeZone: "Europe/Brussels"}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Children) != 12 {
			t.Fatalf("%d children, want 12", len(res.Children))
		}
		// A week later, the final planning conference (−2 months) would
		// meet a PSC meeting.
		blocker := time.Date(2031, 9, 21, 10, 0, 0, 0, bru)
		if _, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: "PSC meeting", Start: blocker, End: blocker.Add(time.Hour),
			LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		starts := func() map[int64]time.Time {
			out := map[int64]time.Time{}
			for _, c := range append([]models.ActivityView{res.Activity}, res.Children...) {
				v, err := s.GetActivity(ctx, sys, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				out[c.ID] = v.Start
			}
			return out
		}
		was := starts()
		_, err = s.MoveActivity(ctx, planner, res.Activity.ID, start.AddDate(0, 0, 7), storage.WriteOptions{})
		var ce *models.ConflictError
		if !errors.As(err, &ce) || len(ce.Conflicts) != 1 || ce.Conflicts[0].Rule != "body_double_booked" {
			t.Fatalf("want the one conflict of the final planning conference, got %v", err)
		}
		for id, s := range starts() {
			if !s.Equal(was[id]) {
				t.Errorf("activity %d moved from %s to %s although the move was refused", id, was[id], s)
			}
		}
		// Two weeks later nothing is in the way: all thirteen move by 14
		// days, keeping their wall-clock times across summer time.
		moved, err := s.MoveActivity(ctx, planner, res.Activity.ID, start.AddDate(0, 0, 14), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(moved.Children) != 12 {
			t.Fatalf("%d children moved, want 12", len(moved.Children))
		}
		now := starts()
		for id, s := range was {
			if want := s.In(bru).AddDate(0, 0, 14); !now[id].Equal(want) {
				t.Errorf("activity %d at %s, want %s", id, now[id].In(bru), want)
			}
		}
		// A child can still be edited alone.
		child := moved.Children[0]
		in := child.Input()
		in.Start, in.End = in.Start.Add(24*time.Hour), in.End.Add(24*time.Hour)
		if _, err := s.UpdateActivity(ctx, planner, child.ID, in, storage.WriteOptions{}); err != nil {
			t.Fatalf("edit one child: %v", err)
		}
		// A NATO planner may not move the EU exercise.
		nato := models.Actor{Name: "nato", Role: models.RolePlanner, OrganizationID: orgID(t, s, "NATO")}
		if _, err := s.MoveActivity(ctx, nato, res.Activity.ID, start, storage.WriteOptions{}); !isForbidden(err) {
			t.Errorf("a NATO planner moved an EU exercise: %v", err)
		}
	})
}

func TestPacePairSilencesTheOverlapOfItsTwoExercisesOnly(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		at := func(day int) time.Time { return time.Date(2032, 11, day, 8, 0, 0, 0, time.UTC) }
		exercise := func(title, lead string, from, to int, extra ...models.ParticipantInput) models.ActivityView {
			t.Helper()
			parts := append([]models.ParticipantInput{{Type: "organization", IDOrCode: "EU"}, {Type: "organization", IDOrCode: "NATO"}}, extra...)
			r, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "exercise", Title: title, Start: at(from), End: at(to), LeadOrganization: models.Ref(lead), Participants: parts}, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return r.Activity
		}
		eir := exercise("EU Integrated Resolve 32", "EU", 14, 18)
		phase, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "exercise_phase", Title: "EU IR 32 conduct", Start: at(14), End: at(18), LeadOrganization: "EU",
			Parent: models.Ref(fmt.Sprint(eir.ID)), Participants: []models.ParticipantInput{{Type: "organization", IDOrCode: "NATO"}}}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cmx := exercise("CMX 32", "NATO", 15, 19)
		other := exercise("Another NATO exercise", "NATO", 16, 17)
		overlapsOf := func(id int64) map[int64]bool {
			r, err := s.ActivityConflicts(ctx, sys, id)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]bool{}
			for _, w := range r.Warnings {
				if w.Rule == "planning_overlap" {
					out[w.Other.ActivityID] = true
				}
			}
			return out
		}
		if got := overlapsOf(cmx.ID); !got[eir.ID] || !got[phase.Activity.ID] || !got[other.ID] {
			t.Fatalf("before pairing, CMX overlaps %v; want the exercise, its phase and the other exercise", got)
		}
		pair, err := s.CreatePacePair(ctx, sys, models.PacePairInput{Year: 2032, Exercises: []int64{cmx.ID, eir.ID}, LeadOrganization: "EU"})
		if err != nil {
			t.Fatal(err)
		}
		if pair.Exercises[0].ID != eir.ID || pair.LeadOrganization != "EU" {
			t.Errorf("pair %+v", pair)
		}
		if got := overlapsOf(cmx.ID); got[eir.ID] || got[phase.Activity.ID] || !got[other.ID] {
			t.Errorf("after pairing, CMX overlaps %v; want only the other exercise", got)
		}
		if got := overlapsOf(phase.Activity.ID); got[cmx.ID] || !got[other.ID] {
			t.Errorf("after pairing, the EU phase overlaps %v; want only the other exercise", got)
		}
		if _, err := s.CreatePacePair(ctx, sys, models.PacePairInput{Year: 2032, Exercises: []int64{eir.ID, cmx.ID}, LeadOrganization: "EU"}); err == nil {
			t.Error("the same pair was linked twice")
		}
		if _, err := s.CreatePacePair(ctx, sys, models.PacePairInput{Year: 2032, Exercises: []int64{cmx.ID, other.ID}, LeadOrganization: "NATO"}); !isValidation(err, "exercises") {
			t.Errorf("two NATO exercises paired: %v", err)
		}
		// A coordination meeting is an activity linked to the pair.
		m, err := s.AddPacePairMeeting(ctx, sys, pair.ID, models.ActivityInput{Kind: "meeting", Title: "PACE coordination", Start: at(2), End: at(2).Add(time.Hour), LeadOrganization: "EU"}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetPacePair(ctx, sys, pair.ID)
		if err != nil || len(got.Meetings) != 1 || got.Meetings[0].ID != m.Activity.ID {
			t.Fatalf("meetings of the pair: %+v, %v", got, err)
		}
	})
}

func TestPacePairIsSeenOnlyByWhoSeesBothExercises(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		at := time.Date(2032, 11, 14, 8, 0, 0, 0, time.UTC)
		eu, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "exercise", Title: "EU-only exercise", Start: at, End: at.Add(48 * time.Hour), LeadOrganization: "EU", Visibility: []models.Ref{"EU"}}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		nato, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "exercise", Title: "CMX", Start: at, End: at.Add(48 * time.Hour), LeadOrganization: "NATO"}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		natoPlanner := models.Actor{Name: "nato", Role: models.RolePlanner, OrganizationID: orgID(t, s, "NATO")}
		if _, err := s.CreatePacePair(ctx, natoPlanner, models.PacePairInput{Year: 2032, Exercises: []int64{eu.Activity.ID, nato.Activity.ID}, LeadOrganization: "NATO"}); !isValidation(err, "exercises[0]") {
			t.Errorf("a NATO planner paired an exercise it cannot see: %v", err)
		}
		pair, err := s.CreatePacePair(ctx, sys, models.PacePairInput{Year: 2032, Exercises: []int64{eu.Activity.ID, nato.Activity.ID}, LeadOrganization: "EU"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetPacePair(ctx, natoPlanner, pair.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("NATO sees a pair with an EU-only exercise: %v", err)
		}
		page, err := s.ListPacePairs(ctx, natoPlanner, models.PacePairFilter{})
		if err != nil || len(page.Items) != 0 || page.Total != 0 {
			t.Errorf("NATO lists %+v (%v)", page, err)
		}
		if err := s.DeletePacePair(ctx, natoPlanner, pair.ID, 0); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("NATO deleted a pair it cannot see: %v", err)
		}
		euViewer := models.Actor{Name: "eu", Role: models.RoleViewer, OrganizationID: orgID(t, s, "EU")}
		if page, err := s.ListPacePairs(ctx, euViewer, models.PacePairFilter{Year: 2032}); err != nil || len(page.Items) != 1 {
			t.Errorf("the EU does not list its pair: %+v (%v)", page, err)
		}
	})
}

func orgID(t *testing.T, s *storage.Store, code string) int64 {
	t.Helper()
	o, err := s.GetOrganization(context.Background(), models.Ref(code))
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func countActivities(t *testing.T, s *storage.Store) int64 {
	t.Helper()
	p, err := s.ListActivities(context.Background(), models.System(), models.ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func isValidation(err error, field string) bool {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, f := range ve.Errors {
		if f.Field == field {
			return true
		}
	}
	return false
}

// TestMoveRacingBookingsNeverDoubleBooks moves an exercise while ten
// bookings try to take the PSC at the place one of its conferences moves
// to: whatever the order, the PSC ends up booked once in that slot, on
// either database (a serialised write on SQLite, the exclusion constraint
// on PostgreSQL).
func TestMoveRacingBookingsNeverDoubleBooks(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		sys := models.System()
		world(t, s)
		if _, err := s.CreateExerciseTemplate(ctx, sys, lifecycleTemplate()); err != nil {
			t.Fatal(err)
		}
		bru, _ := time.LoadLocation("Europe/Brussels")
		start := time.Date(2031, 11, 14, 9, 0, 0, 0, bru)
		res, err := s.InstantiateTemplate(ctx, sys, "EU Integrated Resolve", models.ActivityInput{Title: "EU IR 31", Start: start, End: start.AddDate(0, 0, 5), TimeZone: "Europe/Brussels"}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The initial planning conference (−9 months, two days, PSC)
		// moves from 14 to 21 February.
		slot := time.Date(2031, 2, 21, 10, 0, 0, 0, bru)
		errs := make(chan error, 11)
		gate := make(chan struct{})
		go func() {
			<-gate
			_, err := s.MoveActivity(ctx, sys, res.Activity.ID, start.AddDate(0, 0, 7), storage.WriteOptions{})
			errs <- err
		}()
		for i := 0; i < 10; i++ {
			go func() {
				<-gate
				_, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("PSC meeting %d", i), Start: slot, End: slot.Add(time.Hour),
					LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{})
				errs <- err
			}()
		}
		close(gate)
		won := 0
		for i := 0; i < 11; i++ {
			err := <-errs
			var ce *models.ConflictError
			switch {
			case err == nil:
				won++
			case !errors.As(err, &ce):
				t.Errorf("a writer failed otherwise than with a conflict: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d writers took the PSC at %s, want exactly one", won, slot)
		}
		page, err := s.ListActivities(ctx, sys, models.ActivityFilter{Body: "PSC", From: slot, To: slot.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 {
			t.Errorf("%d activities hold the PSC at %s", page.Total, slot)
		}
	})
}
