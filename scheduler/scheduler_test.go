package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestAddRefusesBadSpecNamingTheJob(t *testing.T) {
	t.Parallel()
	s := New(quiet(), nil)
	if err := s.Add("bad", "every minute", func(context.Context) error { return nil }); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("bad spec accepted or unnamed: %v", err)
	}
}

func TestJobRecoversNeverOverlapsAndReports(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	s := New(quiet(), reg)
	release := make(chan struct{})
	var started atomic.Int32
	if err := s.Add("slow", "@every 1h", func(ctx context.Context) error {
		started.Add(1)
		<-release
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("panics", "@every 1h", func(context.Context) error { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("fails", "@every 1h", func(context.Context) error { return errors.New("smtp down") }); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(context.Background())
	go s.RunNow("slow")
	for started.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	s.RunNow("slow") // overlaps: must be skipped, not run
	close(release)
	s.RunNow("panics")
	s.RunNow("fails")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if st := s.Status(); st[2].Runs == 1 {
			break
		}
	}
	st := s.Status()
	byName := map[string]JobStatus{}
	for _, j := range st {
		byName[j.Name] = j
	}
	if started.Load() != 1 || byName["slow"].Skipped != 1 || byName["slow"].Runs != 1 || byName["slow"].LastSuccess == nil {
		t.Fatalf("slow: started %d, status %+v", started.Load(), byName["slow"])
	}
	if !strings.Contains(byName["panics"].LastError, "boom") || byName["panics"].Failures != 1 {
		t.Fatalf("panics: %+v", byName["panics"])
	}
	if byName["fails"].LastError != "smtp down" || byName["fails"].NextRun == nil {
		t.Fatalf("fails: %+v", byName["fails"])
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		if f.GetName() == "jointcal_job_failures_total" {
			for _, m := range f.GetMetric() {
				if m.GetLabel()[0].GetValue() == "panics" && m.GetCounter().GetValue() == 1 {
					found = true
				}
			}
		}
	}
	if !found {
		t.Fatal("no failure metric for the panicking job")
	}
	if !s.RunNow("fails") || s.RunNow("nope") {
		t.Fatal("RunNow lookup broken")
	}
}

// TestJobDoneIsDebug: a successful run logs at debug, so jobs that run
// every minute do not fill an info-level log; a failure is an error.
func TestJobDoneIsDebug(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fn    JobFunc
		level slog.Level
		want  string
	}{
		{"ok", func(context.Context) error { return nil }, slog.LevelDebug, `level=DEBUG msg="job done" job=ok`},
		{"failing", func(context.Context) error { return errors.New("boom") }, slog.LevelError, `level=ERROR msg="job failed" job=failing`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var info, debug strings.Builder
			for _, l := range []struct {
				w     *strings.Builder
				level slog.Level
			}{{&info, slog.LevelInfo}, {&debug, slog.LevelDebug}} {
				s := New(slog.New(slog.NewTextHandler(l.w, &slog.HandlerOptions{Level: l.level})), nil)
				if err := s.Add(tc.name, "@every 1h", tc.fn); err != nil {
					t.Fatal(err)
				}
				s.RunNow(tc.name)
			}
			if !strings.Contains(debug.String(), tc.want) {
				t.Fatalf("debug log lacks %q:\n%s", tc.want, debug.String())
			}
			if got := strings.Contains(info.String(), tc.want); got != (tc.level >= slog.LevelInfo) {
				t.Fatalf("info-level log shows %q: %v, want %v:\n%s", tc.want, got, tc.level >= slog.LevelInfo, info.String())
			}
		})
	}
}
