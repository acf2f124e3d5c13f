package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAgendaSharedMatchesEach: the deconfliction agenda read with one
// shared neighbourhood for the whole window answers exactly what checking
// each activity alone answers — the same clashes, severities, pairing,
// masking of the other organisation's restricted activities, exercise
// families, blackouts, PACE coordination, reply items and order — for
// planners of both organisations and the system, on 600 generated
// activities crowded on a few resources; and it does so in a bounded
// number of statements.
func TestAgendaSharedMatchesEach(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start, actors := crowdedAgendaWorld(t, s)
		var err error
		windows := []models.ConflictFilter{
			{From: start.AddDate(0, 0, 10), To: start.AddDate(0, 0, 17)}, // a week: each alone is the test's longest part
			{From: start.AddDate(0, 0, 3), To: start.AddDate(0, 0, 5), Severity: "hard"},
			{From: start.AddDate(0, 0, 20), To: start.AddDate(0, 0, 27), Severity: "soft", Organization: "NATO"},
		}
		for _, a := range actors {
			for _, f := range windows {
				var want []models.ListedConflict
				readsEach := s.CountReads(t, func() { want, err = s.ListConflictsEach(ctx, a, f) })
				if err != nil {
					t.Fatal(err)
				}
				var got []models.ListedConflict
				reads := s.CountReads(t, func() { got, err = s.ListConflicts(ctx, a, f) })
				if err != nil {
					t.Fatal(err)
				}
				wj, _ := json.Marshal(want)
				gj, _ := json.Marshal(got)
				if string(wj) != string(gj) {
					t.Fatalf("%s %v: shared agenda differs (%d items, want %d)\n got %.2000s\nwant %.2000s", a.Name, f, len(got), len(want), gj, wj)
				}
				// One statement per table and chunk of 500, not per activity
				// or clash (36 for the first week's 200 items when written).
				if reads > 45 {
					t.Errorf("%s %v: the agenda ran %d read statements", a.Name, f, reads)
				}
				if len(want) == 0 && f.Severity == "" {
					t.Fatalf("%s %v: no clashes at all: the data set proves nothing", a.Name, f)
				}
				restricted, rules := 0, map[string]int{}
				for _, c := range want {
					if c.Other.Restricted {
						restricted++
					}
					rules[c.Rule]++
				}
				t.Logf("%s %v..%v %s: %d items, %d masked, %d reads (each alone: %d); %v", a.Name, f.From.Format("01-02"), f.To.Format("01-02"), f.Severity, len(want), restricted, reads, readsEach, rules)
			}
		}
	})
}

// crowdedAgendaWorld fills s with the agenda tests' data: 600 generated
// activities crowded on a few resources from start (2031-03-01) over 20
// days, exercises of both organisations with phases, blackouts, PACE
// pairs and answers, the clock standing on the 12th day; and returns
// start with the actors to ask as: the system and a planner of each
// organisation.
func crowdedAgendaWorld(t *testing.T, s *storage.Store) (time.Time, []models.Actor) {
	t.Helper()
	ctx, sys := context.Background(), models.System()
	start := time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := demo.Scale(ctx, s, 1, start, 7, nil); err != nil { // organisations, people, bodies, rooms
		t.Fatal(err)
	}
	const reason = "generated clash"
	var exercises []int64
	for i := range 4 {
		ex, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: string(models.KindExercise), Title: fmt.Sprintf("Exercise %d", i),
			Start: start.AddDate(0, 0, 7*i), End: start.AddDate(0, 0, 7*i+10), TimeZone: "Europe/Brussels", LeadOrganization: []models.Ref{"EU", "NATO"}[i%2],
			Participants: []models.ParticipantInput{{Type: "organization", IDOrCode: "EU"}, {Type: "organization", IDOrCode: "NATO"}, {Type: "person", IDOrCode: models.Ref(fmt.Sprintf("staff%d@scale.example", i))}}},
			storage.WriteOptions{OverrideReason: reason})
		if err != nil {
			t.Fatal(err)
		}
		exercises = append(exercises, ex.Activity.ID)
	}
	w, err := s.NewBulkWriter(sys, reason)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var batch []models.BulkActivity
	var phases []models.ActivityInput // the bulk path takes no parents
	for i := range 600 {
		begin := start.Add(time.Duration(rng.IntN(20*24)) * time.Hour)
		lead := []models.Ref{"EU", "NATO"}[rng.IntN(2)]
		in := models.ActivityInput{Kind: string(models.KindMeeting), Title: fmt.Sprintf("Crowded %d", i), Start: begin, End: begin.Add(time.Duration(1+rng.IntN(3)) * time.Hour),
			TimeZone: "Europe/Brussels", LeadOrganization: lead, Venue: models.Ref(fmt.Sprintf("ROOM-%d", rng.IntN(15)))}
		switch {
		case i%6 == 0:
			in.Visibility = []models.Ref{lead} // restricted to its lead
		case i%10 == 1:
			in.Kind, in.Parent = string(models.KindExercisePhase), models.Ref(strconv.FormatInt(exercises[rng.IntN(len(exercises))], 10))
			in.Participants = append(in.Participants, models.ParticipantInput{Type: "organization", IDOrCode: lead})
		case i%10 == 3:
			in.RRule = "FREQ=WEEKLY;COUNT=6"
		}
		for range 2 + rng.IntN(3) {
			p := models.ParticipantInput{Type: "person", IDOrCode: models.Ref(fmt.Sprintf("staff%d@scale.example", rng.IntN(60)))}
			if rng.IntN(5) == 0 {
				p = models.ParticipantInput{Type: "body", IDOrCode: models.Ref(fmt.Sprintf("BODY-%d", rng.IntN(8)))}
			}
			dup := false
			for _, q := range in.Participants {
				dup = dup || q.IDOrCode == p.IDOrCode
			}
			if !dup {
				in.Participants = append(in.Participants, p)
			}
		}
		if in.Parent != "" {
			phases = append(phases, in)
			continue
		}
		batch = append(batch, models.BulkActivity{Input: in, SourceUID: fmt.Sprintf("crowded:%d", i)})
	}
	if _, err := w.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, in := range phases {
		if _, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{OverrideReason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	// Blackouts of each organisation and of both, PACE pairs between
	// exercises of the two, and answers (declined, tentative,
	// accepted; for the whole activity and for one occurrence), so that
	// the window's reads of each are compared too; the clock stands in
	// the first window so that unanswered occurrences are chased.
	for i, org := range [][]models.Ref{{"EU"}, {"NATO"}, {"EU", "NATO"}, {"NATO"}} {
		at := start.AddDate(0, 0, 11+5*i)
		if _, err := s.CreateBlackout(ctx, sys, models.BlackoutInput{Title: fmt.Sprintf("Blackout %d", i), Start: at, End: at.Add(30 * time.Hour),
			Severity: []string{"hard", "soft"}[i%2], Organizations: org}); err != nil {
			t.Fatal(err)
		}
	}
	for i, pair := range [][2]int64{{exercises[0], exercises[1]}, {exercises[2], exercises[3]}} {
		if _, err := s.CreatePacePair(ctx, sys, models.PacePairInput{Year: 2031, Exercises: pair[:], LeadOrganization: []models.Ref{"EU", "NATO"}[i]}); err != nil {
			t.Fatal(err)
		}
	}
	s.SetClock(func() time.Time { return start.AddDate(0, 0, 12) })
	listed, err := s.ListActivities(ctx, sys, models.ActivityFilter{From: start.AddDate(0, 0, 10), To: start.AddDate(0, 0, 18), ListOptions: models.ListOptions{Limit: 120}})
	if err != nil {
		t.Fatal(err)
	}
	replied := 0
	for i, v := range listed.Items {
		for j, p := range v.Participants {
			if replied == 36 {
				break
			}
			if p.Type != string(models.ResourcePerson) || (i+j)%4 == 0 {
				continue
			}
			in := models.ReplyInput{PartStat: string([]models.RSVP{models.RSVPDeclined, models.RSVPTentative, models.RSVPAccepted}[(i+j)%3])}
			if v.RRule != "" && i%2 == 0 {
				in.Occurrence = &v.Start
			}
			if _, err := s.ReplyFor(ctx, p.ID, v.ID, in, models.ChannelAPI); err == nil {
				replied++
			}
		}
	}
	if replied < 20 {
		t.Fatalf("only %d answers recorded: the data set proves nothing", replied)
	}
	orgs, err := s.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: models.ListOptions{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	actors := []models.Actor{sys}
	for _, o := range orgs.Items {
		actors = append(actors, models.Actor{Name: o.Code + " planner", Role: models.RolePlanner, OrganizationID: o.ID})
	}
	return start, actors
}

// TestAgendaNeighbourhoodByResource: the shared agenda reads the
// occupancy of the resources its drafts claim only, type by type; it must
// still find, for a draft straddling the window's start, the clashes on
// each type of resource with activities outside the window (one of them
// long, found through the longest-occurrence bound), the planning overlap
// of two exercises of one organisation and none between an exercise and a
// meeting of it, and skip a cancelled activity, exactly as checking each
// activity alone does. A neighbourhood missing one type's rows (or an
// exercise's organisation) loses one of the clashes asked for below.
func TestAgendaNeighbourhoodByResource(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		worldWithHQ(t, s)
		day := time.Date(2031, 7, 1, 0, 0, 0, 0, time.UTC) // the window is this day
		at := func(h float64) time.Time { return day.Add(time.Duration(h * float64(time.Hour))) }
		part := func(typ string, ref models.Ref) models.ParticipantInput {
			return models.ParticipantInput{Type: typ, IDOrCode: ref}
		}
		ids := map[string]int64{}
		for _, in := range []models.ActivityInput{
			// Outside the window, each holding one resource the straddling
			// meeting claims; Ana's is long.
			{Kind: "meeting", Title: "Ana outside", Start: at(-30), End: at(-1), LeadOrganization: "NATO", Participants: []models.ParticipantInput{part("person", "ana@eeas.example")}},
			{Kind: "meeting", Title: "PSC outside", Start: at(-3), End: at(-0.5), LeadOrganization: "NATO", Participants: []models.ParticipantInput{part("body", "PSC")}},
			{Kind: "meeting", Title: "HQ outside", Start: at(-4), End: at(-1.5), LeadOrganization: "NATO", Venue: "HQ"},
			{Kind: string(models.KindExercise), Title: "Exercise outside", Start: at(-48), End: at(-1), LeadOrganization: "EU"},
			{Kind: "meeting", Title: "EU meeting outside", Start: at(-3), End: at(-1), LeadOrganization: "EU"},
			{Kind: "meeting", Title: "Ben outside", Start: at(-2), End: at(-0.25), LeadOrganization: "NATO", Participants: []models.ParticipantInput{part("person", "ben@nato.example")}},
			// In the window.
			{Kind: "meeting", Title: "Straddling", Start: at(-2), End: at(1), LeadOrganization: "NATO", Venue: "HQ",
				Participants: []models.ParticipantInput{part("person", "ana@eeas.example"), part("body", "PSC")}},
			{Kind: string(models.KindExercise), Title: "Exercise straddling", Start: at(-2), End: at(5), LeadOrganization: "EU"},
			{Kind: "meeting", Title: "EU meeting straddling", Start: at(-2), End: at(2), LeadOrganization: "NATO",
				Participants: []models.ParticipantInput{part("organization", "EU")}},
			{Kind: "meeting", Title: "Cancelled", Start: at(-1), End: at(3), LeadOrganization: "NATO", Status: string(models.StatusCancelled),
				Participants: []models.ParticipantInput{part("person", "ben@nato.example")}},
		} {
			in.TimeZone = "Europe/Brussels"
			made, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{OverrideReason: "planned clash"})
			if err != nil {
				t.Fatalf("%s: %v", in.Title, err)
			}
			ids[in.Title] = made.Activity.ID
		}
		f := models.ConflictFilter{From: day, To: day.AddDate(0, 0, 1)}
		want, err := s.ListConflictsEach(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ListConflicts(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if string(wj) != string(gj) {
			t.Fatalf("shared agenda differs (%d items, want %d)\n got %s\nwant %s", len(got), len(want), gj, wj)
		}
		type clash struct{ self, rule, other string }
		found := map[clash]bool{}
		names := map[int64]string{}
		for name, id := range ids {
			names[id] = name
		}
		for _, c := range got {
			found[clash{names[c.Activity.ID], c.Rule, names[c.Other.ActivityID]}] = true
		}
		for _, c := range []clash{
			{"Straddling", planning.RulePersonDoubleBooked, "Ana outside"},
			{"Straddling", planning.RuleBodyDoubleBooked, "PSC outside"},
			{"Straddling", planning.RuleVenueDoubleBooked, "HQ outside"},
			{"Exercise straddling", planning.RulePlanningOverlap, "Exercise outside"},
		} {
			if !found[c] {
				t.Errorf("no %s of %q with %q in %v", c.rule, c.self, c.other, found)
			}
		}
		for c := range found {
			if c.self == "Cancelled" || c.other == "Cancelled" || c.other == "EU meeting outside" || c.self == "EU meeting straddling" && c.rule == planning.RulePlanningOverlap {
				t.Errorf("unexpected clash %v", c)
			}
		}
	})
}
