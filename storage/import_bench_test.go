package storage_test

import (
	"context"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

func benchImportStore(b *testing.B) *storage.Store {
	s := storagetest.Open(b)
	ctx := context.Background()
	sys := models.System()
	if _, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union"}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ana", Email: "ana@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkImport measures a first import of 2,000 events on SQLite
// (events/s is the figure docs/PERFORMANCE.md records).
func BenchmarkImport(b *testing.B) {
	parsed := generateCalendar(b, generated{prefix: "bench", n: 2000, invalid: -1, rich: true})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := benchImportStore(b)
		b.StartTimer()
		if _, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReimportUnchanged measures importing the same 2,000 events
// again: nothing changes, nothing is written.
func BenchmarkReimportUnchanged(b *testing.B) {
	parsed := generateCalendar(b, generated{prefix: "bench", n: 2000, invalid: -1, rich: true})
	ctx := context.Background()
	s := benchImportStore(b)
	if _, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"})
		if err != nil || rep.Unchanged != 2000 {
			b.Fatalf("unchanged %d, %v", rep.Unchanged, err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "events/s")
}
