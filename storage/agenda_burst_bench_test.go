package storage_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkAgendaBurst asks for JOINTCAL_BENCH_BURST (16) distinct
// one-month conflicts agendas at once on the database named by
// JOINTCAL_BENCH_DB (a copy of one made by `jointcal demo --scale N`),
// with the default agenda slots, and reports the peak heap in use during
// the burst and how many were refused as busy (models.ErrAgendaBusy).
// JOINTCAL_AGENDA_COMPUTES sets the slots as it does for serve (64: about
// as if there were none, as before the slots).
func BenchmarkAgendaBurst(b *testing.B) {
	n := 16
	if v, err := strconv.Atoi(os.Getenv("JOINTCAL_BENCH_BURST")); err == nil && v > 0 {
		n = v
	}
	set := models.DefaultSettings()
	if v, err := strconv.Atoi(os.Getenv("JOINTCAL_AGENDA_COMPUTES")); err == nil && v > 0 {
		set.AgendaComputes = v
	}
	s := storagetest.OpenBench(b, set)
	from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 1, 0)
	var peak atomic.Uint64
	var refused atomic.Int64
	for b.Loop() {
		runtime.GC()
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := s.ListConflicts(context.Background(), models.System(), models.ConflictFilter{From: from.AddDate(0, i, 0), To: from.AddDate(0, i+1, 0)})
				switch {
				case errors.Is(err, models.ErrAgendaBusy):
					refused.Add(1)
				case err != nil:
					b.Error(err)
				}
			})
		}
		wg.Wait()
		close(stop)
		<-sampled
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(refused.Load())/float64(b.N), "busy/burst")
}
