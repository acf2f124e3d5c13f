package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialectMacros expands the few type names that differ between databases.
var dialectMacros = map[models.Dialect]*strings.Replacer{
	models.SQLite:   strings.NewReplacer("{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{TIME}}", "DATETIME", "{{BIGINT}}", "INTEGER", "{{BLOB}}", "BLOB"),
	models.Postgres: strings.NewReplacer("{{ID}}", "BIGSERIAL PRIMARY KEY", "{{TIME}}", "TIMESTAMPTZ", "{{BIGINT}}", "BIGINT", "{{BLOB}}", "BYTEA"),
}

// Migrations lists the migrations that apply to d, in version order.
func Migrations(d models.Dialect) ([]models.Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []models.Migration
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".sql")
		parts := strings.Split(name, ".")
		if len(parts) == 2 && parts[1] != string(d) {
			continue
		}
		num, _, ok := strings.Cut(parts[0], "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, models.Migration{Version: v*10 + len(parts) - 1, Name: e.Name(), SQL: dialectMacros[d].Replace(string(body))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies every migration not yet recorded in schema_migrations,
// each in its own transaction. On PostgreSQL an advisory lock lets several
// instances start at once without racing each other.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	migrations, err := Migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	if s.dialect == models.Postgres {
		// A session-level lock needs one connection for its whole life.
		conn, err := db.DB()
		if err != nil {
			return nil, err
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock(7426154)"); err != nil {
			return nil, fmt.Errorf("migrate: take lock: %w", err)
		}
		defer c.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7426154)") //nolint:errcheck
	} else {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(40) NOT NULL)`).Error; err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var done []int
	if err := db.Raw(`SELECT version FROM schema_migrations`).Scan(&done).Error; err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	have := map[int]bool{}
	for _, v := range done {
		have[v] = true
	}
	for _, m := range migrations {
		if have[m.Version] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, stmt := range splitStatements(m.SQL) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w\n in statement: %s", err, stmt)
				}
			}
			return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, s.now().Format("2006-01-02T15:04:05Z")).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	if s.dialect == models.SQLite {
		// A bulk write that stopped before building its deferred indexes
		// again (DeferIndexes) is finished here.
		if err := db.Transaction(restoreDeferredIndexes); err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
	}
	return applied, nil
}

// splitStatements cuts a migration file at semicolons that end a line,
// dropping comment-only lines; migrations are written to keep that simple.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}
