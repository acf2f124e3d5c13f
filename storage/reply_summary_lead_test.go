package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestReplySummariesAskOnlyAboutThePlannersActivities: a planner gets
// the summaries of the activities their organisation leads, and the
// summary query (whose cost is per activity asked about) is not asked
// about the others: a calendar month of 1,000 occurrences, half led by
// the other organisation, asked about all of them.
func TestReplySummariesAskOnlyAboutThePlannersActivities(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	ctx, sys := context.Background(), models.System()
	orgs := map[string]int64{}
	for _, code := range []string{"EU", "NATO"} {
		o, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: code, Name: code})
		if err != nil {
			t.Fatal(err)
		}
		orgs[code] = o.ID
	}
	if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Staff", Email: "staff@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
		t.Fatal(err)
	}
	start := s.Now().Truncate(time.Hour).Add(48 * time.Hour)
	ids := map[string]int64{}
	for i, lead := range []string{"EU", "NATO"} {
		at := start.Add(time.Duration(i) * 3 * time.Hour)
		a, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: lead + " meeting", Start: at, End: at.Add(time.Hour), TimeZone: "Europe/Brussels",
			Status: "confirmed", LeadOrganization: models.Ref(lead), Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "staff@eeas.example"}}}, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids[lead] = a.Activity.ID
	}
	planner := models.Actor{Name: "EU planner", Role: models.RolePlanner, OrganizationID: orgs["EU"]}
	var sums map[int64]models.ReplySummary
	statements := s.StatementsOf(t, func() {
		var err error
		if sums, err = s.ReplySummaries(ctx, planner, []int64{ids["EU"], ids["NATO"]}); err != nil {
			t.Fatal(err)
		}
	})
	if len(sums) != 1 || sums[ids["EU"]].NeedsAction != 1 {
		t.Fatalf("summaries %+v, want the EU meeting's alone, one person without an answer", sums)
	}
	summarised := false
	for _, st := range statements {
		if !strings.Contains(st.SQL, "LEFT JOIN replies r") {
			continue
		}
		summarised = true
		for _, v := range st.Vars {
			if v == any(ids["NATO"]) {
				t.Errorf("the summary query was asked about NATO's meeting: %v", st.Vars)
			}
		}
	}
	if !summarised {
		t.Fatal("no summary query ran")
	}
}
