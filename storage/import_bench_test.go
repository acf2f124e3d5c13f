package storage_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// benchImportStore opens a fresh database with an organisation and a
// person: SQLite, or with JOINTCAL_BENCH_BACKEND=postgres a schema of its
// own in the PostgreSQL database of JOINTCAL_TEST_DATABASE_URL.
func benchImportStore(b *testing.B) *storage.Store {
	var s *storage.Store
	if os.Getenv("JOINTCAL_BENCH_BACKEND") == "postgres" {
		for _, be := range storagetest.Backends() {
			if be.Name == "postgres" {
				s = storagetest.OpenDSN(b, be.DSN(b))
			}
		}
		if s == nil {
			b.Fatal("JOINTCAL_BENCH_BACKEND=postgres needs JOINTCAL_TEST_DATABASE_URL")
		}
	} else {
		s = storagetest.Open(b)
	}
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
func BenchmarkImport(b *testing.B) { benchImport(b, 2000) }

// BenchmarkImport10k is BenchmarkImport with the 10,000 events of issue
// 16's target.
func BenchmarkImport10k(b *testing.B) { benchImport(b, 10000) }

// BenchmarkReimportUnchanged measures importing the same 2,000 events
// again: nothing changes, nothing is written.
func BenchmarkReimportUnchanged(b *testing.B) { benchReimport(b, 2000) }

// BenchmarkReimportUnchanged10k is BenchmarkReimportUnchanged with 10,000
// events.
func BenchmarkReimportUnchanged10k(b *testing.B) { benchReimport(b, 10000) }

// benchImport imports n events (each with a category, an attendee and a
// reminder) into a fresh database per iteration.
func benchImport(b *testing.B, n int) {
	parsed := generateCalendar(b, generated{prefix: "bench", n: n, invalid: -1, rich: true})
	ctx := context.Background()
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := benchImportStore(b)
		b.StartTimer()
		before := processCPU()
		if _, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"}); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - before
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// benchReimport imports n events once, then measures importing them
// again: nothing changes, nothing is written.
func benchReimport(b *testing.B, n int) {
	parsed := generateCalendar(b, generated{prefix: "bench", n: n, invalid: -1, rich: true})
	ctx := context.Background()
	s := benchImportStore(b)
	if _, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	before := processCPU()
	for i := 0; i < b.N; i++ {
		rep, err := s.Import(ctx, models.System(), parsed, models.ImportOptions{Organization: "EU"})
		if err != nil || rep.Unchanged != n {
			b.Fatalf("unchanged %d, %v", rep.Unchanged, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((processCPU()-before).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// processCPU is the CPU time (user and system) the process has used: on
// a machine shared with other work the wall clock says little, this says
// what an operation costs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
