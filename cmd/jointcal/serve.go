package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/models/demo"
)

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "serve", "serve [--demo]")
	withDemo := fs.Bool("demo", false, "load the demo data (EU–NATO cooperation 2020–2023) and issue an admin token for this run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	started := time.Now()
	cfg, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	log := newLogger(cfg, env)
	if cfg.BootstrapAdminToken != "" {
		if err := store.EnsureToken(ctx, "bootstrap-admin", cfg.BootstrapAdminToken); err != nil {
			return fmt.Errorf("bootstrap admin token: %w", err)
		}
	}
	var demoToken string
	if *withDemo {
		sum, err := demo.Load(ctx, store)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		log.Info("demo data loaded", "created", sum.Created, "existing", sum.Existing)
		_, demoToken, err = store.CreateToken(ctx, models.System(), models.TokenInput{Name: "demo-admin " + time.Now().UTC().Format(time.RFC3339), Role: models.RoleAdmin})
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
	if cfg.Scheduler {
		sched, _, err := newScheduler(cfg, store, syncer, log, srv.Registry())
		if err != nil {
			return err
		}
		sched.Start()
		defer stopScheduler(sched, cfg.ShutdownTimeout)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s (JOINTCAL_LISTEN): %w", cfg.Listen, err)
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	base := cfg.PublicURL()
	if cfg.BaseURL == "" {
		base = "http://" + ln.Addr().String() // the real port when JOINTCAL_LISTEN asks for :0
	}
	log.Info("jointcal ready", "url", base, "database", string(store.Dialect()), "startup_ms", time.Since(started).Milliseconds(), "version", version)
	fmt.Fprintf(env.stdout, "jointcal is listening on %s (%s database)\n", base, store.Dialect())
	if demoToken != "" {
		fmt.Fprintf(env.stdout, "demo admin token (valid until revoked):\n  export TOKEN=%s\n  curl -H \"Authorization: Bearer $TOKEN\" %s/api/v1/activities\n", demoToken, base)
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

func runDemo(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "demo", "demo [--scale N [--seed S]]")
	scale := fs.Int("scale", 0, "instead of the seed data, generate N activities over 2,000 people, bodies and venues (load tests)")
	seed := fs.Uint64("seed", 1, "random seed of --scale")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	if *scale > 0 {
		started := time.Now()
		err := demo.Scale(ctx, store, *scale, time.Now().UTC().Truncate(24*time.Hour), *seed, func(done int) {
			fmt.Fprintf(env.stderr, "\r%d/%d activities", done, *scale)
		})
		if err != nil {
			return err
		}
		elapsed := time.Since(started)
		fmt.Fprintf(env.stdout, "\ngenerated %d activities in %s (%.0f bookings/s with conflict check)\n", *scale, elapsed.Round(time.Millisecond), float64(*scale)/elapsed.Seconds())
		return nil
	}
	sum, err := demo.Load(ctx, store)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "demo data: %d created, %d already present\n", sum.Created, sum.Existing)
	return nil
}
