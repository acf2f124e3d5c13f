package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// setup loads the configuration and builds the logger every command
// logs with; it warns about JOINTCAL_* variables no setting reads, so a
// typo does not pass for a default.
func setup(env *environment) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(env.getenv)
	if err != nil {
		return cfg, nil, err
	}
	log := newLogger(cfg, env)
	if env.environ != nil {
		for _, name := range config.UnknownVariables(env.environ()) {
			log.Warn("unknown setting ignored: no JOINTCAL_* setting has this name (see the README's Configuration)", "variable", name)
		}
	}
	return cfg, log, nil
}

// openDatabase connects to the configured database (which must answer)
// and hands the store its settings; it does not migrate.
func openDatabase(cfg config.Config, log *slog.Logger) (*storage.Store, error) {
	set := storeSettings(cfg)
	set.Log = log
	store, err := storage.Open(cfg.DatabaseURL, set)
	if err != nil {
		return nil, fmt.Errorf("JOINTCAL_DATABASE_URL (%s): %w", describeDatabase(cfg.DatabaseURL), err)
	}
	return store, nil
}

// storeSettings are the store's share of the configuration.
func storeSettings(cfg config.Config) models.Settings {
	set := models.DefaultSettings()
	set.Planning.Limits.Horizon = cfg.Horizon
	set.Planning.Limits.MaxInstances = cfg.MaxInstances
	set.Planning.Rules.Buffer = cfg.Buffer
	set.Reminders.KindDefaults = cfg.ReminderDefaults
	set.Reminders.MaxAttempts = cfg.ReminderMaxAttempts
	set.Reminders.Lease = cfg.ReminderLease
	set.Proposals.TTL = cfg.ProposalTTL
	set.Reminders.Chase = cfg.ReplyChase
	set.SQLiteMmapBytes = cfg.SQLiteMmapBytes
	set.AgendaComputes = cfg.AgendaComputes
	return set
}

// openStore loads the configuration, opens the database and applies
// pending migrations: every command that touches data starts here.
func openStore(ctx context.Context, env *environment) (config.Config, *storage.Store, error) {
	cfg, log, err := setup(env)
	if err != nil {
		return cfg, nil, err
	}
	store, err := openDatabase(cfg, log)
	if err != nil {
		return cfg, nil, err
	}
	if _, err := migrate(ctx, cfg, store); err != nil {
		store.Close()
		return cfg, nil, err
	}
	return cfg, store, nil
}

// migrate applies pending migrations, but refuses a database that holds
// tables without being jointcal's: a URL naming the wrong database must
// not fill it with jointcal's tables.
func migrate(ctx context.Context, cfg config.Config, store *storage.Store) ([]string, error) {
	where := describeDatabase(cfg.DatabaseURL)
	st, err := store.InspectSchema(ctx)
	if err != nil {
		return nil, fmt.Errorf("JOINTCAL_DATABASE_URL (%s): %w", where, err)
	}
	if st.Foreign() {
		return nil, fmt.Errorf("JOINTCAL_DATABASE_URL (%s): the database holds %d tables but is not jointcal's (no schema_migrations); nothing was changed: point the URL at an empty database or at jointcal's own", where, st.Tables)
	}
	applied, err := store.Migrate(ctx)
	if err != nil {
		return applied, fmt.Errorf("migrate %s: %w", where, err)
	}
	return applied, nil
}

// describeDatabase names the database a URL points at without its
// password, for messages and logs.
func describeDatabase(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "a PostgreSQL database"
		}
		who := ""
		if u.User != nil {
			who = " as " + u.User.Username()
		}
		return fmt.Sprintf("PostgreSQL database %q on %s%s", strings.Trim(u.Path, "/"), u.Host, who)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	path, _, _ = strings.Cut(path, "?")
	return fmt.Sprintf("SQLite file %s", path)
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
	fs := flags(env, "migrate", "migrate", `
Apply the pending versioned migrations (storage/migrations/) to the database
JOINTCAL_DATABASE_URL names, say which database and which migrations were
applied, and exit. serve, demo, token, org and import migrate on their own;
this command lets an operator do it first, once, on purpose.`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, log, err := setup(env)
	if err != nil {
		return err
	}
	store, err := openDatabase(cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	where := describeDatabase(cfg.DatabaseURL)
	applied, err := migrate(ctx, cfg, store)
	for _, m := range applied {
		fmt.Fprintln(env.stdout, "applied", m)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(env.stdout, "%s is up to date\n", where)
		return nil
	}
	fmt.Fprintf(env.stdout, "%s: %d migrations applied\n", where, len(applied))
	return nil
}
