package storage

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
)

// cpuTime is the CPU time (user and system) the process has used: on a
// shared machine it tells the work a benchmark does from the time it
// waited for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReportActivities runs the activity report over the whole
// database named by JOINTCAL_BENCH_DB (one filled by `jointcal demo
// --scale 100000`, whose activities span the three years from the day it
// ran), by every grouping, as an administrator (everything counts) and as
// an organisation's viewer (visibility applied).
func BenchmarkReportActivities(b *testing.B) {
	dsn := os.Getenv("JOINTCAL_BENCH_DB")
	if dsn == "" {
		b.Skip("set JOINTCAL_BENCH_DB to a database made by jointcal demo --scale")
	}
	s, err := Open(dsn, models.DefaultSettings())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// A database generated before migration 0042 gets its occurrence
	// summaries here (Open does not migrate).
	start, cpu := time.Now(), cpuTime()
	if applied, err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	} else if len(applied) > 0 {
		b.Logf("migrated %v in %s (%s of CPU)", applied, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond))
	}
	var org models.Organization
	if err := s.db.Where("code = ?", "EU").First(&org).Error; err != nil {
		b.Fatal(err)
	}
	var first, last int64
	if err := s.db.Raw("SELECT MIN(start_s), MAX(end_s) FROM occurrences").Row().Scan(&first, &last); err != nil {
		b.Fatal(err)
	}
	f := models.ReportFilter{From: time.Unix(first, 0).UTC(), To: time.Unix(last+1, 0).UTC(), TimeZone: "Europe/Brussels"}
	ctx := context.Background()
	for _, who := range []struct {
		name string
		a    models.Actor
	}{{"admin", models.System()}, {"eu_viewer", models.Actor{Role: models.RoleViewer, OrganizationID: org.ID}}} {
		for _, g := range models.ReportGroupings() {
			b.Run(who.name+"/"+string(g), func(b *testing.B) {
				f := f
				f.GroupBy = string(g)
				var r *models.ActivityReport
				cpu := cpuTime()
				for b.Loop() {
					if r, err = s.ReportActivities(ctx, who.a, f); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(r.Activities), "activities")
				b.ReportMetric(float64(r.Occurrences), "occurrences")
			})
		}
	}
	// The other reports of /api/v1/reports, and the proposal turnaround.
	for _, who := range []struct {
		name string
		a    models.Actor
	}{{"admin", models.System()}, {"eu_viewer", models.Actor{Role: models.RoleViewer, OrganizationID: org.ID}}} {
		for _, r := range []struct {
			name string
			run  func() error
		}{
			{"cross-briefings", func() error { _, err := s.ReportCrossBriefings(ctx, who.a, f); return err }},
			{"exercise-participation", func() error { _, err := s.ReportExerciseParticipation(ctx, who.a, f); return err }},
			{"proposal-turnaround", func() error { _, err := s.ProposalTurnaroundIn(ctx, who.a, f.From, f.To); return err }},
		} {
			b.Run(who.name+"/"+r.name, func(b *testing.B) {
				cpu := cpuTime()
				for b.Loop() {
					if err := r.run(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
