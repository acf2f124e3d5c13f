package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// benchScheduleStore opens the database named by JOINTCAL_BENCH_DB (one
// filled by `jointcal demo --scale N`) as a NATO planner.
func benchScheduleStore(b *testing.B) (*storage.Store, models.Actor) {
	s := storagetest.OpenBench(b, models.DefaultSettings())
	nato, err := s.GetOrganization(context.Background(), "NATO")
	if err != nil {
		b.Fatal(err)
	}
	return s, models.Actor{Role: models.RolePlanner, OrganizationID: nato.ID}
}

// BenchmarkResourceSchedules is the store's part of a timeline page: 100
// rows (the most one request may ask) over a week or a month.
func BenchmarkResourceSchedules(b *testing.B) {
	s, a := benchScheduleStore(b)
	ctx := context.Background()
	from := time.Now().UTC().Truncate(24 * time.Hour)
	for _, tc := range []struct {
		name string
		typ  models.ResourceType
		code string
		days int
	}{
		{"venues-week", models.ResourceVenue, "ROOM-%d", 7},
		{"venues-month", models.ResourceVenue, "ROOM-%d", 31},
		{"bodies-month", models.ResourceBody, "BODY-%d", 31},
		{"people-month", models.ResourcePerson, "staff%d@scale.example", 31},
	} {
		keys := make([]models.ResourceKey, storage.MaxScheduleResources)
		for i := range keys {
			keys[i] = models.ResourceKey{Type: tc.typ, IDOrCode: models.Ref(fmt.Sprintf(tc.code, i))}
		}
		b.Run(tc.name, func(b *testing.B) {
			blocks := 0
			for b.Loop() {
				rows, err := s.ResourceSchedules(ctx, a, keys, from, from.AddDate(0, 0, tc.days))
				if err != nil {
					b.Fatal(err)
				}
				blocks = 0
				for _, r := range rows {
					blocks += len(r.Busy)
				}
			}
			b.ReportMetric(float64(blocks), "blocks")
		})
	}
}
