package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
)

// openStore loads the configuration, opens the database and applies
// pending migrations: every command that touches data starts here.
func openStore(ctx context.Context, env *environment) (config.Config, *models.Store, error) {
	cfg, err := config.Load(env.getenv)
	if err != nil {
		return cfg, nil, err
	}
	store, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return cfg, nil, err
	}
	store.Planning.Limits.Horizon = cfg.Horizon
	store.Planning.Limits.MaxInstances = cfg.MaxInstances
	store.Planning.Rules.Buffer = cfg.Buffer
	if _, err := store.Migrate(ctx); err != nil {
		store.Close()
		return cfg, nil, err
	}
	return cfg, store, nil
}

// newLogger builds the slog logger the configuration asks for: text on a
// terminal, JSON otherwise (unless forced).
func newLogger(cfg config.Config, env *environment) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if isTerminal(env.stderr) {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(env.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(env.stderr, opts))
}

func runMigrate(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "migrate", "migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(env.getenv)
	if err != nil {
		return err
	}
	store, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	applied, err := store.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(env.stdout, "applied", m)
	}
	return nil
}
