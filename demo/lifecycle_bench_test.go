package demo

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
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

// reportP50 records the median of the measured operations, the figure
// the target is stated in (ns/op is their mean).
func reportP50(b *testing.B, took []time.Duration, cpu time.Duration) {
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(took)), "cpu-ms/op")
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "p90-ms")
	}
}

// BenchmarkExerciseLifeCycleOnDemoData creates exercises from the demo's
// ten-entry EU Integrated Resolve template (eleven activities, each
// checked for conflicts, one transaction) and moves one with its ten
// children by a week, on the demo data in SQLite. Each exercise starts a
// week after the previous one, a year ahead, so its planning events fall
// among the demo's present activities; the override reason keeps the rare
// clash of generated dates from ending the run (the checks run in full
// either way).
func BenchmarkExerciseLifeCycleOnDemoData(b *testing.B) {
	s := storagetest.Open(b)
	ctx := context.Background()
	today := time.Now().UTC()
	if _, err := Load(ctx, s, today); err != nil {
		b.Fatal(err)
	}
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		b.Fatal(err)
	}
	base := time.Date(today.Year()+1, today.Month(), today.Day(), 0, 0, 0, 0, bru)
	planner := models.Actor{Name: "bench", Role: models.RoleAdmin}
	opts := storage.WriteOptions{OverrideReason: "benchmark"}
	var exercise int64
	b.Run("instantiate", func(b *testing.B) {
		var took []time.Duration
		cpu := cpuTime()
		i := 0
		for b.Loop() {
			start := base.AddDate(0, 0, 7*i)
			i++
			t0 := time.Now()
			r, err := s.InstantiateTemplate(ctx, planner, "EU Integrated Resolve", models.ActivityInput{Title: "Bench exercise", Start: start, End: start.AddDate(0, 0, 5), TimeZone: "Europe/Brussels"}, opts)
			took = append(took, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Children) != 10 {
				b.Fatalf("%d children", len(r.Children))
			}
			exercise = r.Activity.ID
		}
		reportP50(b, took, cpuTime()-cpu)
	})
	b.Run("move", func(b *testing.B) {
		if exercise == 0 { // run alone (-bench .../move)
			r, err := s.InstantiateTemplate(ctx, planner, "EU Integrated Resolve", models.ActivityInput{Title: "Bench exercise", Start: base, End: base.AddDate(0, 0, 5), TimeZone: "Europe/Brussels"}, opts)
			if err != nil {
				b.Fatal(err)
			}
			exercise = r.Activity.ID
		}
		cur, err := s.GetActivity(ctx, planner, exercise)
		if err != nil {
			b.Fatal(err)
		}
		start := cur.Start
		var took []time.Duration
		cpu := cpuTime()
		i := 0
		for b.Loop() {
			week := 7
			if i%2 == 1 {
				week = -7
			}
			i++
			start = start.In(bru).AddDate(0, 0, week)
			t0 := time.Now()
			r, err := s.MoveActivity(ctx, planner, exercise, start, opts)
			took = append(took, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Children) != 10 {
				b.Fatalf("%d children moved", len(r.Children))
			}
		}
		reportP50(b, took, cpuTime()-cpu)
	})
}
