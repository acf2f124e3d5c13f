package scheduler

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// Service wires the jobs of jointcal into a scheduler: which function runs
// on which JOINTCAL_CRON_* schedule, and where job status is recorded.
type Service struct {
	Store      *storage.Store
	Dispatcher *Dispatcher
	Syncer     *Syncer
	Config     config.Config
	// Instance names this process in GET /api/v1/jobs.
	Instance string
}

// DefaultInstance names the process by host and pid.
func DefaultInstance() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// Register adds every job to s and makes s record each run in the store.
func (svc *Service) Register(s *Scheduler) error {
	jobs := map[string]JobFunc{
		"reminders": svc.Dispatcher.Tick,
		"retry":     svc.Dispatcher.Drain,
		"horizon": func(ctx context.Context) error {
			_, err := svc.Store.ExtendHorizons(ctx)
			return err
		},
		"sync": svc.Syncer.SyncDue,
		"proposals": func(ctx context.Context) error {
			if _, err := svc.Store.ExpireProposals(ctx); err != nil {
				return fmt.Errorf("expire proposals: %w", err)
			}
			if _, err := svc.Store.ExpireBriefingRequests(ctx); err != nil {
				return fmt.Errorf("expire briefing requests: %w", err)
			}
			return svc.Dispatcher.Drain(ctx)
		},
		"chase": func(ctx context.Context) error {
			if _, err := svc.Store.PlanReplyChases(ctx); err != nil {
				return fmt.Errorf("plan reply chases: %w", err)
			}
			return svc.Dispatcher.Drain(ctx)
		},
		"digest": func(ctx context.Context) error {
			if _, err := svc.Store.PlanDigests(ctx, svc.Store.Now()); err != nil {
				return err
			}
			return svc.Dispatcher.Drain(ctx)
		},
	}
	for _, name := range config.Jobs {
		if err := s.Add(name, svc.Config.Cron[name], jobs[name]); err != nil {
			return fmt.Errorf("JOINTCAL_CRON_%s: %w", name, err)
		}
	}
	s.Report = func(st JobStatus) {
		run := models.JobRun{Name: st.Name, Instance: svc.Instance, Schedule: st.Schedule, LastRun: st.LastRun, LastSuccess: st.LastSuccess,
			LastError: st.LastError, NextRun: st.NextRun, Runs: st.Runs, Failures: st.Failures}
		if d, err := time.ParseDuration(st.LastDuration); err == nil {
			run.LastDurationMS = d.Milliseconds()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Store.RecordJobRun(ctx, run)
	}
	for _, st := range s.Status() {
		s.Report(st) // registered jobs show up before their first run
	}
	return nil
}
