package storage_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkAgendaWindow computes the conflicts agenda of one window of
// JOINTCAL_BENCH_WINDOW (a Go duration; 24h by default) starting at
// 2027-03-03, as an administrator (models.System), each time, on the
// database JOINTCAL_BENCH_DB names: a copy of a SQLite file, or a
// PostgreSQL URL, filled by `jointcal demo --scale N` (docs/PERFORMANCE.md,
// "The agenda's neighbourhood by resource"); with JOINTCAL_BENCH_PAGE=n,
// only the first page of n items. It reports the agenda's items so that
// runs of two versions can be seen to answer alike.
func BenchmarkAgendaWindow(b *testing.B) {
	length := 24 * time.Hour
	if v, err := time.ParseDuration(os.Getenv("JOINTCAL_BENCH_WINDOW")); err == nil && v > 0 {
		length = v
	}
	s := storagetest.OpenBench(b, models.DefaultSettings())
	from := time.Date(2027, 3, 3, 0, 0, 0, 0, time.UTC)
	limit, _ := strconv.Atoi(os.Getenv("JOINTCAL_BENCH_PAGE"))
	n := 0
	for b.Loop() {
		f := models.ConflictFilter{From: from, To: from.Add(length)}
		if limit > 0 {
			page, err := s.ListConflictsPage(context.Background(), models.System(), f, models.ListOptions{Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			n = len(page.Items)
			continue
		}
		items, err := s.ListConflicts(context.Background(), models.System(), f)
		if err != nil {
			b.Fatal(err)
		}
		n = len(items)
	}
	b.ReportMetric(float64(n), "items")
}
