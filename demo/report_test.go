package demo

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestDemoReproducesTheSeedReportsCounts checks the figures the sixth
// progress report (dated 3 June 2021, covering the year since June 2020)
// states for its period, counted by the report endpoints over the demo
// data of that period wherever the demo is placed:
//
//   - the EU briefed the North Atlantic Council four times: the EEAS
//     Secretary-General in July 2020 and March 2021, Commissioners in
//     September 2020 and April 2021;
//   - NATO's Deputy Secretary General briefed the PSC twice (October and
//     December 2020);
//   - three NAC–PSC meetings: the informal one of June 2020 closing the
//     previous series, the formal one of December 2020, the informal one
//     of March 2021;
//   - two joint webinars on Georgia's resilience (June and October 2020);
//   - one annual cyber staff meeting (January 2021).
//
// The report's other total, 125 cross-briefings since July 2016, reaches
// back before the demo's period and is not reproduced.
func TestDemoReproducesTheSeedReportsCounts(t *testing.T) {
	t.Parallel()
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	for _, today := range []time.Time{time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), time.Date(2031, 2, 3, 9, 0, 0, 0, time.UTC)} {
		t.Run(today.Format(time.DateOnly), func(t *testing.T) {
			t.Parallel()
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				s.SetClock(func() time.Time { return today })
				ctx := context.Background()
				if _, err := Load(ctx, s, today); err != nil {
					t.Fatal(err)
				}
				shift := ShiftFor(today)
				f := models.ReportFilter{
					From:     addDays(time.Date(2020, 6, 1, 0, 0, 0, 0, bru), bru, shift.Days),
					To:       addDays(time.Date(2021, 6, 3, 0, 0, 0, 0, bru), bru, shift.Days),
					TimeZone: "Europe/Brussels",
				}
				sys := models.System()
				xb, err := s.ReportCrossBriefings(ctx, sys, f)
				if err != nil {
					t.Fatal(err)
				}
				briefed := map[[2]string]int64{}
				for _, r := range xb.Rows {
					briefed[[2]string{r.BriefingOrganization, r.HostBody}] += r.Count
				}
				if got := briefed[[2]string{"EU", "NAC"}]; got != 4 {
					t.Errorf("the EU briefed the NAC %d times, the report says 4", got)
				}
				if got := briefed[[2]string{"NATO", "PSC"}]; got != 2 {
					t.Errorf("NATO briefed the PSC %d times, the report says 2", got)
				}
				count := func(groupBy, key string) int64 {
					f := f
					f.GroupBy = groupBy
					r, err := s.ReportActivities(ctx, sys, f)
					if err != nil {
						t.Fatal(err)
					}
					for _, g := range r.Groups {
						if g.Key == key {
							return g.Occurrences
						}
					}
					return 0
				}
				for _, c := range []struct {
					groupBy, key string
					want         int64
				}{
					{"series", "NAC–PSC meetings", 3},
					{"kind", "webinar", 2},
					{"series", "Cyber staff talks", 1},
				} {
					if got := count(c.groupBy, c.key); got != c.want {
						t.Errorf("%s %q: %d in the report's period, the report says %d", c.groupBy, c.key, got, c.want)
					}
				}
				// Every grouping counts the same activities in all.
				var totals []int64
				for _, g := range models.ReportGroupings() {
					f := f
					f.GroupBy = string(g)
					r, err := s.ReportActivities(ctx, sys, f)
					if err != nil {
						t.Fatalf("group by %s: %v", g, err)
					}
					totals = append(totals, r.Activities, r.Occurrences)
				}
				for i := 2; i < len(totals); i += 2 {
					if totals[i] != totals[0] || totals[i+1] != totals[1] {
						t.Errorf("totals by grouping (activities, occurrences): %v", totals)
						break
					}
				}
				// The PACE pair of 2022 is there, with the EU leading, and
				// its two exercises no longer warn about each other.
				pairs, err := s.ListPacePairs(ctx, sys, models.PacePairFilter{})
				if err != nil || len(pairs.Items) != 1 || pairs.Items[0].LeadOrganization != "EU" || pairs.Items[0].Year != 2022+shift.Years {
					t.Fatalf("PACE pairs %+v (%v)", pairs.Items, err)
				}
				for _, ex := range pairs.Items[0].Exercises {
					r, err := s.ActivityConflicts(ctx, sys, ex.ID)
					if err != nil {
						t.Fatal(err)
					}
					partner := pairs.Items[0].Exercises[0].ID + pairs.Items[0].Exercises[1].ID - ex.ID
					for _, w := range r.Warnings {
						if w.Rule == "planning_overlap" && w.Other.ActivityID == partner {
							t.Errorf("%s still warns about its PACE partner", ex.Title)
						}
					}
				}
				tpls, err := s.ListExerciseTemplates(ctx, models.ExerciseTemplateFilter{})
				if err != nil || tpls.Total != 3 {
					t.Fatalf("%d templates (%v), want EU Integrated Resolve, CMX and Cyber Coalition", tpls.Total, err)
				}
			})
		})
	}
}
