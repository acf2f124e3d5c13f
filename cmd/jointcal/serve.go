package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/scheduler"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/web"
)

// demoTokenName names the admin token `serve --demo` issues; each start
// revokes the previous ones, so restarts do not pile up admin tokens.
const demoTokenName = "demo-admin"

// demoTokenLifetime bounds the demo token: it is for a session at a
// desk, and must not outlive it as a forgotten admin credential.
const demoTokenLifetime = 24 * time.Hour

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "serve", "serve [--demo]", `
Serve the JSON API (and /healthz, /readyz, /metrics, the calendar feeds) on
JOINTCAL_LISTEN, and run the scheduled jobs unless JOINTCAL_SCHEDULER=off.
Before touching the database it checks that the address is free and that
the database answers; then it applies pending migrations. SIGTERM or Ctrl-C
lets in-flight requests finish (JOINTCAL_SHUTDOWN_TIMEOUT).

With --demo it first loads the demo data (idempotent) and prints an admin
token valid for 24 hours; a restart revokes the previous demo token.`)
	withDemo := fs.Bool("demo", false, "load the demo data (EU–NATO cooperation placed around today) and print an admin token valid for 24 hours")
	if err := fs.Parse(args); err != nil {
		return err
	}
	started := time.Now()
	cfg, log, err := setup(env)
	if err != nil {
		return err
	}
	// The address first: a busy port must fail before anything is written.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("JOINTCAL_LISTEN=%s: cannot listen (is another server running?): %w", cfg.Listen, err)
	}
	defer ln.Close()
	// Links the service hands out (feeds, sign-in) name the real port
	// when JOINTCAL_LISTEN asks for :0; iCalendar UIDs do not depend on it.
	cfg.Listen = ln.Addr().String()
	store, err := openDatabase(cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if applied, err := migrate(ctx, cfg, store); err != nil {
		return err
	} else if len(applied) > 0 {
		log.Info("migrations applied", "database", describeDatabase(cfg.DatabaseURL), "migrations", applied)
	}
	if cfg.BootstrapAdminToken != "" {
		if err := store.EnsureToken(ctx, "bootstrap-admin", cfg.BootstrapAdminToken); err != nil {
			return fmt.Errorf("bootstrap admin token: %w", err)
		}
	}
	var demoToken string
	var demoExpiry time.Time
	if *withDemo {
		sum, err := demo.Load(ctx, store, time.Now())
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		log.Info("demo data loaded", "created", sum.Created, "existing", sum.Existing)
		demoToken, demoExpiry, err = renewDemoToken(ctx, store)
		if err != nil {
			return err
		}
	}
	srv := api.New(store, cfg, log)
	defer srv.Close()
	syncer := newSyncer(cfg, store, log)
	srv.SetExternalSyncer(syncer.SyncID)
	if err := wireSignIn(cfg, srv, log); err != nil {
		return err
	}
	if err := mountPages(cfg, store, srv, syncer.SyncID, log); err != nil {
		return err
	}
	if cfg.Scheduler {
		sched, svc, err := newScheduler(cfg, store, syncer, log, srv.Registry())
		if err != nil {
			return err
		}
		sched.Start()
		// Invitations leave within a second of the booking, not at the
		// next minute's tick, whichever process took the booking.
		nudger := scheduler.StartNudger(ctx, svc.Dispatcher, time.Second)
		srv.SetOutboxNudge(nudger.Nudge)
		listenOutbox(ctx, cfg, store, nudger, log)
		defer stopScheduler(sched, cfg.ShutdownTimeout)
		stopInbound, err := startInbound(cfg, store, log, srv.Registry(), nudger.Nudge)
		if err != nil {
			return err
		}
		defer stopInbound()
	}
	if !cfg.Scheduler && store.Dialect() == models.Postgres {
		// The jobs run elsewhere: tell that process about queued notices.
		srv.SetOutboxNudge(scheduler.StartAnnouncer(ctx, store.NotifyOutbox, log).Nudge)
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	srv.StartWarmingFeeds()
	base := cfg.PublicURL()
	log.Info("jointcal ready", "url", base, "database", string(store.Dialect()), "startup_ms", time.Since(started).Milliseconds(), "version", readBuildInfo().Version)
	fmt.Fprintf(env.stdout, "jointcal is listening on %s (%s database)\n", base, store.Dialect())
	if demoToken != "" {
		fmt.Fprintf(env.stdout, "demo admin token (valid until %s):\n  export TOKEN=%s\n  curl -H \"Authorization: Bearer $TOKEN\" %s/api/v1/activities\n", demoExpiry.Format(time.RFC3339), demoToken, base)
		if err := printDemoSignInLinks(ctx, env, store, base); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(env.stdout, "create an admin token with: jointcal token create --name me --role admin")
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// mountPages adds the planners' web pages to the API's router: one
// server, one port, one store and one authorisation.
func mountPages(cfg config.Config, store *storage.Store, srv *api.Server, sync func(context.Context, int64) error, log *slog.Logger) error {
	pages, err := web.New(web.Deps{Store: store, Config: cfg, Log: log, Sessions: srv.SessionSettings(), SendSignInLink: srv.SendSignInLink, ClientAddr: srv.ClientAddr, StartImportJob: srv.StartImportJob, SyncExternal: sync, NudgeOutbox: srv.NudgeOutbox})
	if err != nil {
		return err
	}
	srv.Mount(pages.Register, pages.APIErrorPage)
	return nil
}

// renewDemoToken revokes the demo tokens of earlier starts and issues a
// new one that expires: the secret of the old one cannot be shown again
// (only its hash is kept), and an admin credential per restart, valid
// forever, was the alternative.
func renewDemoToken(ctx context.Context, store *storage.Store) (string, time.Time, error) {
	sys := models.System()
	ts, err := store.ListTokens(ctx, sys)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("demo token: list tokens: %w", err)
	}
	for _, t := range ts {
		if t.Name == demoTokenName && t.RevokedAt == nil {
			if err := store.RevokeToken(ctx, sys, t.ID); err != nil && !errors.Is(err, models.ErrTokenAlreadyRevoked) {
				return "", time.Time{}, fmt.Errorf("demo token: revoke token %d: %w", t.ID, err)
			}
		}
	}
	exp := time.Now().Add(demoTokenLifetime).UTC().Truncate(time.Second)
	_, secret, err := store.CreateToken(ctx, sys, models.TokenInput{Name: demoTokenName, Role: models.RoleAdmin, ExpiresAt: &exp})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("demo token: %w", err)
	}
	return secret, exp, nil
}

func runDemo(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "demo", "demo [--scale N [--seed S]]", `
Load the demo data into the database: the organisations, committees, people
and venues of EU–NATO cooperation, seventy-three activities from the sixth
progress report (and a few proposals and cross-briefing requests), placed around today (two years back to two years ahead,
weekdays, local times and rhythms kept; each description gives the date in
the report). Running it again changes nothing.

With --scale N it instead generates N activities over 2,000 people, bodies
and venues for load tests; the same --seed makes the same data, and running
it again with the same seed adds nothing. A progress count is drawn only
when stderr is a terminal.`)
	scale := fs.Int("scale", 0, "instead of the seed data, generate N activities over 2,000 people, bodies and venues (load tests)")
	seed := fs.Uint64("seed", 1, "random seed of --scale")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of --scale's generation to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	if *scale > 0 {
		if *cpuprofile != "" {
			stop, err := startCPUProfile(*cpuprofile)
			if err != nil {
				return err
			}
			defer stop()
		}
		started := time.Now()
		var progress func(int)
		if isTerminal(env.stderr) {
			progress = func(done int) { fmt.Fprintf(env.stderr, "\r%d/%d activities", done, *scale) }
		}
		sum, err := demo.Scale(ctx, store, *scale, time.Now().UTC().Truncate(24*time.Hour), *seed, progress)
		if progress != nil {
			fmt.Fprintln(env.stderr)
		}
		if err != nil {
			return err
		}
		elapsed := time.Since(started)
		fmt.Fprintf(env.stdout, "generated %d activities (%d already present) in %s", sum.Created, sum.Existing, elapsed.Round(time.Millisecond))
		if sum.Created > 0 {
			fmt.Fprintf(env.stdout, " (%.0f activities/s, checked in memory and written in batches)", float64(sum.Created)/elapsed.Seconds())
		}
		fmt.Fprintln(env.stdout)
		return nil
	}
	sum, err := demo.Load(ctx, store, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "demo data: %d created, %d already present\n", sum.Created, sum.Existing)
	return nil
}
