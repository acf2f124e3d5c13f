package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/scheduler"
	"github.com/jointcal/jointcal/storage"
	"github.com/prometheus/client_golang/prometheus"
)

// newSender is the SMTP client the configuration names, or the directory
// sink that lets a demo run without a mail server.
func newSender(cfg config.Config, log *slog.Logger) (notify.Sender, error) {
	if cfg.SMTPHost == "" {
		sink, err := notify.NewDirSink(cfg.MailDir, log)
		if err != nil {
			return nil, fmt.Errorf("JOINTCAL_MAIL_DIR: %w", err)
		}
		return sink, nil
	}
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: cfg.SMTPTLS, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, Timeout: cfg.SMTPTimeout})
	if err != nil {
		return nil, fmt.Errorf("JOINTCAL_SMTP_*: %w", err)
	}
	return s, nil
}

// newSyncer builds the external-calendar syncer the configuration asks for.
func newSyncer(cfg config.Config, store *storage.Store, log *slog.Logger) *scheduler.Syncer {
	return &scheduler.Syncer{
		Store: store, Log: log.With("job", "sync"),
		Fetcher: scheduler.NewFetcher(cfg.FetchTimeout, cfg.ImportMaxBytes, 5, cfg.FetchAllow),
		Limits:  calendar.ImportLimits{MaxBytes: cfg.ImportMaxBytes, MaxEvents: cfg.ImportMaxEvents},
	}
}

// newScheduler builds the scheduler with every job registered.
func newScheduler(cfg config.Config, store *storage.Store, syncer *scheduler.Syncer, log *slog.Logger, reg prometheus.Registerer) (*scheduler.Scheduler, *scheduler.Service, error) {
	sender, err := newSender(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	key, err := store.ServerKey(context.Background(), models.ReplyLinkKey)
	if err != nil {
		return nil, nil, err
	}
	svc := &scheduler.Service{
		Store:    store,
		Config:   cfg,
		Instance: scheduler.DefaultInstance(),
		Syncer:   syncer,
		Dispatcher: &scheduler.Dispatcher{
			Store: store, Sender: sender, From: cfg.SMTPFrom, Host: cfg.UIDHost(), BaseURL: cfg.PublicURL(), ReplyAddress: cfg.ReplyTo(),
			ReplyLinks: scheduler.ReplyLinker(cfg.PublicURL(), key), Log: log.With("job", "reminders"),
		},
	}
	s := scheduler.New(log, reg)
	if err := svc.Register(s); err != nil {
		return nil, nil, err
	}
	return s, svc, nil
}

func runScheduler(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "scheduler", "scheduler", `
Run the scheduled jobs (reminder dispatch, outbox retry, occurrence horizon,
weekly digests, external-calendar sync) without the HTTP API, until Ctrl-C
or SIGTERM. Use it with JOINTCAL_SCHEDULER=off on the API instances to keep
the jobs in a process of their own; on PostgreSQL it sends at once the
invitations those instances queue. One is enough: a second never sends a
notice twice, but repeats the horizon and sync work (docs/DEPLOYMENT.md).
With JOINTCAL_INBOUND_LISTEN set, it also runs the listener of the calendar
answers mailed to the reply address, and with JOINTCAL_INBOUND_IMAP_ADDR the
poller of the mailbox that receives them (as serve does when it runs the jobs).`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	log := newLogger(cfg, env)
	s, svc, err := newScheduler(cfg, store, newSyncer(cfg, store, log), log, nil)
	if err != nil {
		return err
	}
	// The API processes (JOINTCAL_SCHEDULER=off) announce the notices
	// their bookings queue; they are sent within a second.
	nudger := scheduler.StartNudger(ctx, svc.Dispatcher, time.Second)
	listenOutbox(ctx, cfg, store, nudger, log)
	stopInbound, err := startInbound(cfg, store, log, nil, nudger.Nudge)
	if err != nil {
		return err
	}
	defer stopInbound()
	s.Start()
	log.Info("scheduler running", "jobs", len(s.Status()))
	fmt.Fprintln(env.stdout, "jointcal scheduler is running its jobs; stop it with Ctrl-C")
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	s.Stop(sctx)
	return nil
}

// stopScheduler stops s within the shutdown timeout.
func stopScheduler(s *scheduler.Scheduler, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s.Stop(ctx)
}

// listenOutbox makes the notices other processes queue on the same
// PostgreSQL database (announced with Store.NotifyOutbox) leave through
// nudger at once rather than at the next reminder tick. On SQLite one
// process serves and dispatches, and its own bookings nudge it directly.
func listenOutbox(ctx context.Context, cfg config.Config, store *storage.Store, nudger *scheduler.Nudger, log *slog.Logger) {
	if store.Dialect() != models.Postgres {
		return
	}
	scheduler.ListenOutbox(ctx, cfg.DatabaseURL, nudger.Nudge, log.With("job", "reminders"))
}
