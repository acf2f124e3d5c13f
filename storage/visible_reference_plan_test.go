package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestListsOfActivityReferencesTestEachActivity: the proposals, their
// turnaround and the PACE pairs a planner may see are kept by testing
// each row's activity through the activities' primary key, not by first
// listing every visible activity (SQLite's plan: a list subquery over the
// activities_deleted index), which cost 50–150 ms a page at 100,000
// activities for four proposals and one pair.
func TestListsOfActivityReferencesTestEachActivity(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	ctx, sys := context.Background(), models.System()
	eu, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"})
	if err != nil {
		t.Fatal(err)
	}
	planner := models.Actor{Name: "EU planner", Role: models.RolePlanner, OrganizationID: eu.ID}
	plans := s.PlansOf(t, func() {
		if _, err := s.ListProposals(ctx, planner, models.ProposalFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ProposalTurnaroundIn(ctx, planner, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ListPacePairs(ctx, planner, models.PacePairFilter{}); err != nil {
			t.Fatal(err)
		}
	})
	if len(plans) < 3 {
		t.Fatalf("%d statements, want at least 3", len(plans))
	}
	for _, plan := range plans {
		if strings.Contains(plan, "activities_deleted") {
			t.Errorf("every visible activity listed first:\n%s", plan)
		}
	}
}
