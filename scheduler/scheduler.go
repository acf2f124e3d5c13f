// Package scheduler runs jointcal's periodic jobs with robfig/cron:
// reminder dispatch, outbox retry, occurrence-horizon extension,
// external-calendar sync and the weekly digests. Each job recovers from panics,
// never overlaps itself, logs its runs and exports metrics; Status feeds
// GET /api/v1/jobs.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
)

// JobFunc is the work of one run; the context ends when the scheduler stops.
type JobFunc func(ctx context.Context) error

// JobStatus is what an administrator sees of a job.
type JobStatus struct {
	Name         string     `json:"name"`
	Schedule     string     `json:"schedule"`
	Running      bool       `json:"running"`
	LastRun      *time.Time `json:"last_run"`
	LastSuccess  *time.Time `json:"last_success"`
	LastDuration string     `json:"last_duration,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	NextRun      *time.Time `json:"next_run"`
	Runs         int64      `json:"runs"`
	Failures     int64      `json:"failures"`
	Skipped      int64      `json:"skipped_overlaps"`
}

type job struct {
	name, spec string
	fn         JobFunc
	id         cron.EntryID
	mu         sync.Mutex
	status     JobStatus
}

// Scheduler owns the cron runner and the jobs' state.
type Scheduler struct {
	cron     *cron.Cron
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	mu       sync.Mutex
	jobs     []*job
	duration *prometheus.HistogramVec
	failures *prometheus.CounterVec
	success  *prometheus.GaugeVec
	// Report, when set, receives a job's status after each of its runs
	// (the service stores it for GET /api/v1/jobs).
	Report func(JobStatus)
}

// New builds a scheduler whose metrics are registered on reg (nil: none).
func New(log *slog.Logger, reg prometheus.Registerer) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		cron: cron.New(cron.WithParser(config.ScheduleParser()), cron.WithLocation(time.UTC)),
		log:  log, ctx: ctx, cancel: cancel,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jointcal_job_duration_seconds", Help: "Duration of scheduled job runs."}, []string{"job"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jointcal_job_failures_total", Help: "Failed scheduled job runs (errors and panics)."}, []string{"job"}),
		success:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "jointcal_job_last_success_timestamp_seconds", Help: "Unix time of the last successful run of each job."}, []string{"job"}),
	}
	if reg != nil {
		reg.MustRegister(s.duration, s.failures, s.success)
	}
	return s
}

// Add registers a job; a bad spec is an error naming the job.
func (s *Scheduler) Add(name, spec string, fn JobFunc) error {
	j := &job{name: name, spec: spec, fn: fn, status: JobStatus{Name: name, Schedule: spec}}
	id, err := s.cron.AddFunc(spec, func() { s.run(j) })
	if err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", name, spec, err)
	}
	j.id = id
	s.mu.Lock()
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	return nil
}

// Start begins running jobs on their schedules.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running jobs' context and waits for them
// (at most until ctx ends).
func (s *Scheduler) Stop(ctx context.Context) {
	stopped := s.cron.Stop()
	s.cancel()
	select {
	case <-stopped.Done():
	case <-ctx.Done():
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// RunNow runs a job at once (outside its schedule), still never
// overlapping itself; it reports whether the job exists.
func (s *Scheduler) RunNow(name string) bool {
	for _, j := range s.snapshot() {
		if j.name == name {
			s.run(j)
			return true
		}
	}
	return false
}

func (s *Scheduler) snapshot() []*job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*job(nil), s.jobs...)
}

// run executes one run of j: skipped if the previous one still runs,
// recovered if it panics, timed, logged and counted.
func (s *Scheduler) run(j *job) {
	j.mu.Lock()
	if j.status.Running {
		j.status.Skipped++
		j.mu.Unlock()
		s.log.Warn("job still running; this run is skipped", "job", j.name)
		return
	}
	j.status.Running = true
	j.mu.Unlock()
	s.wg.Add(1)
	defer s.wg.Done()
	start := time.Now()
	err := s.call(j)
	elapsed := time.Since(start)
	s.duration.WithLabelValues(j.name).Observe(elapsed.Seconds())
	defer s.report(j)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.status.Running = false
	j.status.Runs++
	t := start.UTC()
	j.status.LastRun = &t
	j.status.LastDuration = elapsed.Round(time.Millisecond).String()
	if err != nil {
		j.status.Failures++
		j.status.LastError = err.Error()
		s.failures.WithLabelValues(j.name).Inc()
		s.log.Error("job failed", "job", j.name, "error", err, "duration_ms", elapsed.Milliseconds())
		return
	}
	j.status.LastError = ""
	done := time.Now().UTC()
	j.status.LastSuccess = &done
	s.success.WithLabelValues(j.name).Set(float64(done.Unix()))
	// Debug: reminders and sync succeed every minute, and an info line
	// each time would bury what matters; failures stay at error.
	s.log.Debug("job done", "job", j.name, "duration_ms", elapsed.Milliseconds())
}

// call runs the job function, turning a panic into an error.
func (s *Scheduler) call(j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			s.log.Error("job panicked", "job", j.name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	return j.fn(s.ctx)
}

func (s *Scheduler) report(j *job) {
	if s.Report == nil {
		return
	}
	for _, st := range s.Status() {
		if st.Name == j.name {
			s.Report(st)
		}
	}
}

// Status lists every job with its schedule, last and next run and last
// error, by name.
func (s *Scheduler) Status() []JobStatus {
	var out []JobStatus
	for _, j := range s.snapshot() {
		j.mu.Lock()
		st := j.status
		j.mu.Unlock()
		if e := s.cron.Entry(j.id); e.ID != 0 {
			next := e.Next
			if next.IsZero() { // not started yet: when it would run
				next = e.Schedule.Next(time.Now())
			}
			n := next.UTC()
			st.NextRun = &n
		}
		out = append(out, st)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}
