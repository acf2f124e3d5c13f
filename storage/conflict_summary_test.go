package storage_test

import (
	"reflect"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConflictSummariesMatchTwoQueries compares the other activities'
// summaries read in one joined statement with the two queries they were
// read in before, on generated activities some of which are restricted
// to one or several organisations, plus ids that name no activity.
func TestConflictSummariesMatchTwoQueries(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		for _, q := range []string{
			"INSERT INTO organizations (code, name, created_at, updated_at) VALUES ('A', 'A', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), ('B', 'B', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), ('C', 'C', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
			"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)" +
				" INSERT INTO activities (kind, title, start_at, end_at, status, format, lead_organization_id, restricted, created_at, updated_at)" +
				" SELECT 'meeting', 'Activity ' || i, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'confirmed', 'in_person', (SELECT MIN(id) FROM organizations) + i % 3, i % 3 = 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n",
			"INSERT INTO activity_visibility (activity_id, organization_id) SELECT id, lead_organization_id FROM activities WHERE restricted",
			"INSERT INTO activity_visibility (activity_id, organization_id) SELECT a.id, o.id FROM activities a JOIN organizations o ON o.id <> a.lead_organization_id WHERE a.restricted AND a.id % 2 = 0",
		} {
			if err := s.ExecForTest(q); err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		for id := int64(1); id <= 130; id++ { // past the last activity: vanished ids
			ids = append(ids, id)
		}
		want, err := s.SummariesBeforeDriverForTest(ids)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SummariesForTest(ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 100 || !reflect.DeepEqual(got, want) {
			t.Fatalf("one statement read %d summaries, two queries %d:\n got %v\nwant %v", len(got), len(want), got, want)
		}
		var twoOrgs int
		for _, w := range want {
			if len(w.Allowed) > 1 {
				twoOrgs++
			}
		}
		if twoOrgs == 0 {
			t.Fatal("no activity visible to more than one organisation: the data tests nothing")
		}
	})
}
