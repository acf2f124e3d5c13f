package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestInvolvingListsThePersonsActivitiesFromTheirList: "my activities"
// (the /me page, GET /api/v1/me/activities) holds the activities a person
// takes part in directly or through a body, from today on, and on SQLite
// the query is led by the person's participations (participants_ref), not
// by a walk of every live activity in id order (activities_deleted),
// which took a second at 100,000 activities.
func TestInvolvingListsThePersonsActivitiesFromTheirList(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
			t.Fatal(err)
		}
		me, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Me", Email: "me@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Other", Email: "other@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateBody(ctx, sys, models.BodyInput{Code: "PSC", Name: "Political and Security Committee", Organization: "EU", Members: []models.Ref{"me@eeas.example"}}); err != nil {
			t.Fatal(err)
		}
		now := s.Now().Truncate(time.Hour)
		book := func(title string, start time.Time, p models.ParticipantInput) int64 {
			in := models.ActivityInput{Kind: "meeting", Title: title, Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", Status: "confirmed", LeadOrganization: "EU",
				Participants: []models.ParticipantInput{p}}
			a, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return a.Activity.ID
		}
		direct := book("Mine", now.Add(48*time.Hour), models.ParticipantInput{Type: "person", IDOrCode: "me@eeas.example"})
		viaBody := book("My committee's", now.Add(72*time.Hour), models.ParticipantInput{Type: "body", IDOrCode: "PSC"})
		book("Someone else's", now.Add(96*time.Hour), models.ParticipantInput{Type: "person", IDOrCode: "other@eeas.example"})
		book("Mine, past", now.Add(-96*time.Hour), models.ParticipantInput{Type: "person", IDOrCode: "me@eeas.example"})
		f := models.ActivityFilter{Involving: me.ID, From: now, ListOptions: models.ListOptions{Limit: 10}}
		page, err := s.ListActivities(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 2 || page.Items[0].ID != direct || page.Items[1].ID != viaBody || page.Total != 2 {
			t.Fatalf("my activities: %+v (total %d), want %d and %d", page.Items, page.Total, direct, viaBody)
		}
		if s.Dialect() != models.SQLite {
			return
		}
		for _, plan := range s.PlansOf(t, func() { _, _ = s.ListActivities(ctx, sys, f) }) {
			if strings.Contains(plan, "FROM `activities`") && strings.Contains(plan, "activities_deleted") {
				t.Fatalf("my activities are not led by the person's participations:\n%s", plan)
			}
		}
	})
}

// TestWideWindowTestsEachActivity: a list over a window covering most of
// the time occurrences span (the programme's three years) finds the same
// activities, and on SQLite tests each through its occurrences instead of
// first collecting every occurrence of the window (occurrences_window).
func TestWideWindowTestsEachActivity(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
			t.Fatal(err)
		}
		now := s.Now().Truncate(time.Hour)
		var ids []int64
		for i, at := range []time.Time{now.AddDate(0, 0, -40), now.AddDate(0, 0, 10), now.AddDate(0, 2, 0), now.AddDate(1, 0, 0)} {
			in := models.ActivityInput{Kind: "exercise_phase", Title: fmt.Sprintf("Phase %d", i), Start: at, End: at.Add(time.Hour), TimeZone: "Europe/Brussels", Status: "confirmed", LeadOrganization: "EU"}
			a, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.Activity.ID)
		}
		f := models.ActivityFilter{From: now, To: now.AddDate(2, 0, 0), Kind: "exercise_phase", ListOptions: models.ListOptions{Limit: 10}}
		var page models.Page[models.ActivityView]
		list := func() {
			var err error
			if page, err = s.ListActivities(ctx, sys, f); err != nil {
				t.Fatal(err)
			}
		}
		if s.Dialect() != models.SQLite {
			list()
		} else {
			for _, plan := range s.PlansOf(t, list) {
				if strings.Contains(plan, "o.start_s >= ?") && strings.Contains(plan, "occurrences_window") {
					t.Errorf("every occurrence of the window collected first:\n%s", plan)
				}
			}
		}
		if len(page.Items) != 3 || page.Total != 3 || page.Items[0].ID != ids[1] || page.Items[2].ID != ids[3] {
			t.Fatalf("listed %+v (total %d), want %v", page.Items, page.Total, ids[1:])
		}
	})
}
