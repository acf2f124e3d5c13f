package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestReportActivitiesMatchesTheStreamingReport compares the activity
// report aggregated in SQL with the one that read every occurrence
// (ReportActivitiesStreaming, the implementation before issue 14's
// work), on a generated data set where a fifth of the activities are
// restricted to their lead organisation and some are cancelled or
// deleted: for an administrator and for a viewer of each organisation,
// by every grouping, over windows and zones that cut through
// occurrences and daylight-saving changes.
// bothReports is the report of f for a, as ReportActivities answers it
// (got) and as the streaming reference does (want).
func bothReports(t *testing.T, s *storage.Store, a models.Actor, f models.ReportFilter) (got, want *models.ActivityReport) {
	t.Helper()
	ctx := context.Background()
	want, err := s.ReportActivitiesStreaming(ctx, a, f)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = s.ReportActivities(ctx, a, f); err != nil {
		t.Fatal(err)
	}
	return got, want
}

func TestReportActivitiesMatchesTheStreamingReport(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		start := time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)
		if _, err := demo.Scale(ctx, s, 800, start, 7, nil); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"UPDATE activities SET restricted = ? WHERE id % 5 = 0", []any{true}},
			{"INSERT INTO activity_visibility (activity_id, organization_id) SELECT id, lead_organization_id FROM activities WHERE id % 5 = 0", nil},
			{"UPDATE activities SET status = ? WHERE id % 13 = 0", []any{models.StatusCancelled}},
			{"UPDATE activities SET deleted_at = updated_at WHERE id % 17 = 0", nil},
		} {
			if err := s.ExecForTest(q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		orgs, err := s.ListOrganizations(ctx, models.OrganizationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]models.Actor{"admin": models.System()}
		for _, o := range orgs.Items {
			actors[o.Code] = models.Actor{Role: models.RoleViewer, OrganizationID: o.ID}
		}
		if len(actors) < 3 {
			t.Fatalf("want an administrator and viewers of two organisations, have %v", actors)
		}
		windows := []models.ReportFilter{
			{From: start.AddDate(-1, 0, 0), To: start.AddDate(4, 0, 0), TimeZone: "Europe/Brussels"},
			{From: start.AddDate(0, 7, 3).Add(9 * time.Hour), To: start.AddDate(1, 10, 0).Add(11 * time.Hour), TimeZone: "America/New_York"},
			{From: start.AddDate(0, 1, 0), To: start.AddDate(0, 2, 0)},
		}
		restrictedSeen := map[string]int64{}
		for name, a := range actors {
			for _, w := range windows {
				for _, g := range models.ReportGroupings() {
					f := w
					f.GroupBy = string(g)
					got, want := bothReports(t, s, a, f)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s, %s to %s in %s by %s:\n got %+v\nwant %+v", name, f.From, f.To, f.TimeZone, g, got, want)
					}
					if g == models.GroupByKind && w == windows[0] {
						restrictedSeen[name] = got.Activities
					}
				}
			}
		}
		// The data set must tell the actors apart, or the comparison
		// would not test visibility.
		if restrictedSeen["EU"] == restrictedSeen["admin"] || restrictedSeen["NATO"] == restrictedSeen["admin"] || restrictedSeen["EU"] == 0 {
			t.Errorf("activities seen by admin, EU, NATO: %d, %d, %d; want fewer for each organisation", restrictedSeen["admin"], restrictedSeen["EU"], restrictedSeen["NATO"])
		}
	})
}
