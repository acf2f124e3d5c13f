package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestCheckFindsBlackouts: a check asks whether a claimed organisation
// has a blackout in its span in the statement that reads the occupancy,
// and reads the blackouts only then; it must still find every blackout of
// the lead organisation or of a participating one that overlaps it, and
// none of another organisation or at another time.
func TestCheckFindsBlackouts(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		world(t, s)
		day := func(n int) time.Time { return time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
		blackouts := map[string]int64{}
		for name, b := range map[string]models.BlackoutInput{
			"EU, day 1":   {Start: day(1), End: day(2), Organizations: []models.Ref{"EU"}},
			"NATO, day 3": {Start: day(3), End: day(4), Organizations: []models.Ref{"NATO"}},
			"both, day 5": {Start: day(5), End: day(6), Organizations: []models.Ref{"EU", "NATO"}},
		} {
			b.Title, b.Severity = name, "hard"
			made, err := s.CreateBlackout(ctx, sys, b)
			if err != nil {
				t.Fatal(err)
			}
			blackouts[name] = made.ID
		}
		for _, tc := range []struct {
			name string
			day  int
			lead models.Ref
			orgs []models.Ref // participating organisations
			want string       // the blackout found, "" for none
		}{
			{"lead's blackout", 1, "EU", nil, "EU, day 1"},
			{"another organisation's", 1, "NATO", nil, ""},
			{"a participating organisation's", 3, "EU", []models.Ref{"NATO"}, "NATO, day 3"},
			{"no blackout that day", 2, "EU", []models.Ref{"NATO"}, ""},
			{"of both", 5, "NATO", nil, "both, day 5"},
		} {
			in := models.ActivityInput{Kind: "meeting", Title: tc.name, Start: day(tc.day).Add(9 * time.Hour), End: day(tc.day).Add(10 * time.Hour),
				TimeZone: "Europe/Brussels", Status: "confirmed", LeadOrganization: tc.lead}
			for _, o := range tc.orgs {
				in.Participants = append(in.Participants, models.ParticipantInput{Type: "organization", IDOrCode: o})
			}
			report, err := s.CheckActivity(ctx, sys, 0, in)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var found []int64
			for _, c := range append(report.Conflicts, report.Warnings...) {
				if c.Rule == planning.RuleBlackout {
					found = append(found, c.Other.BlackoutID)
				}
			}
			switch {
			case tc.want == "" && len(found) > 0:
				t.Errorf("%s: found blackouts %v, want none", tc.name, found)
			case tc.want != "" && (len(found) != 1 || found[0] != blackouts[tc.want]):
				t.Errorf("%s: found blackouts %v, want %q (%d)", tc.name, found, tc.want, blackouts[tc.want])
			}
		}
	})
}

// TestCheckStatements bounds the statements of a check (each a round trip
// on PostgreSQL): the references in one, the occupancy with the questions
// whether calendars and blackouts need reading in one, and, when it finds
// conflicts, the other activities' summaries in one.
func TestCheckStatements(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		worldWithHQ(t, s)
		at := func(h int) time.Time { return time.Date(2031, 6, 2, h, 0, 0, 0, time.UTC) }
		in := func(from, to int) models.ActivityInput {
			return models.ActivityInput{Kind: "meeting", Title: "Counted", Start: at(from), End: at(to), TimeZone: "Europe/Brussels", Status: "confirmed",
				LeadOrganization: "EU", Venue: "HQ", Visibility: []models.Ref{"EU", "NATO"},
				Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}, {Type: "person", IDOrCode: "ben@nato.example"}, {Type: "body", IDOrCode: "PSC"}}}
		}
		if _, err := s.CreateActivity(ctx, sys, in(9, 10), storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name      string
			from, to  int
			conflicts bool
			want      int
		}{
			{"finding none", 12, 13, false, 2},
			{"finding conflicts", 9, 11, true, 3},
		} {
			var report models.CheckReport
			var err error
			n := s.CountReads(t, func() { report, err = s.CheckActivity(ctx, sys, 0, in(tc.from, tc.to)) })
			switch {
			case err != nil:
				t.Fatalf("%s: %v", tc.name, err)
			case (len(report.Conflicts) > 0) != tc.conflicts:
				t.Errorf("%s: conflicts %v", tc.name, report.Conflicts)
			case n > tc.want:
				t.Errorf("%s: %d statements, want at most %d", tc.name, n, tc.want)
			}
		}
	})
}
