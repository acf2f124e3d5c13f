package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// maxImportJobs is how many import jobs one process runs at once: each
// holds its parsed file in memory and writes for seconds, so their number
// is what bounds the memory and CPU that importers can take.
const maxImportJobs = 2

// startImportJob answers 202 Accepted with a job to poll, and runs the
// import in the background; with maxImportJobs already running it answers
// 503 with Retry-After.
func (s *Server) startImportJob(c echo.Context, parsed *calendar.ImportResult, opts models.ImportOptions) error {
	job, err := s.StartImportJob(c.Request().Context(), actor(c), parsed, opts, logger(c))
	if errors.Is(err, models.ErrImportBusy) {
		c.Response().Header().Set("Retry-After", "30")
		return problem(http.StatusServiceUnavailable, "import-busy", fmt.Sprintf("%d imports are running on this server; send the file again in a little while", maxImportJobs))
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/import/jobs/%d", job.ID))
	return c.JSON(http.StatusAccepted, job)
}

// StartImportJob records an import job for a and runs it in the
// background, bounded by the server's import slots and stopped by its
// shutdown; the web pages start their large imports here too, so that
// both faces share one bound.
func (s *Server) StartImportJob(ctx context.Context, a models.Actor, parsed *calendar.ImportResult, opts models.ImportOptions, log *slog.Logger) (*models.ImportJob, error) {
	select {
	case s.importSlots <- struct{}{}:
	default:
		return nil, models.ErrImportBusy
	}
	job, err := s.store.CreateImportJob(ctx, a, opts.Organization, len(parsed.Events), opts.DryRun)
	if err != nil {
		<-s.importSlots
		return nil, err
	}
	log = log.With("import_job", job.ID)
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		defer func() { <-s.importSlots }()
		s.runImportJob(job.ID, a, parsed, opts, log)
	}()
	return job, nil
}

// runImportJob imports, records progress every second, and records the
// outcome. A shutdown cancels it between chunks; the job then says it
// was interrupted.
func (s *Server) runImportJob(id int64, a models.Actor, parsed *calendar.ImportResult, opts models.ImportOptions, log *slog.Logger) {
	var done atomic.Int64
	opts.Progress = func(n, _ int) { done.Store(int64(n)) }
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if err := s.store.RecordImportProgress(s.jobCtx, id, int(done.Load())); err != nil && s.jobCtx.Err() == nil {
					log.Error("import job progress not recorded", "error", err)
				}
			}
		}
	}()
	started := time.Now()
	rep, err := s.store.Import(s.jobCtx, a, parsed, opts)
	close(stop)
	if errors.Is(err, models.ErrImportInvalid) {
		err = nil // the report lists the invalid events; nothing was written
	}
	if err != nil && s.jobCtx.Err() != nil {
		err = errors.New("interrupted: the server shut down; run the import again to complete it (re-imports change only what is missing)")
	}
	if ferr := s.store.FinishImportJob(context.WithoutCancel(s.jobCtx), id, rep, err); ferr != nil {
		log.Error("import job outcome not recorded", "error", ferr)
	}
	log.Info("import job finished", "events", len(parsed.Events), "duration_ms", time.Since(started).Milliseconds(), "failed", err != nil)
}

// getImportJob shows a job's progress and, once done, its report.
func (s *Server) getImportJob(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	job, err := s.store.GetImportJob(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, job)
}
