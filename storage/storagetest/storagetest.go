// Package storagetest gives tests a migrated, empty store on every database
// jointcal supports: a SQLite file in the test's temporary directory, and a
// fresh PostgreSQL schema when JOINTCAL_TEST_DATABASE_URL names a server.
// CI runs each store test on SQLite in its first pass and, with that
// variable set, on PostgreSQL under the race detector (EnvBackends).
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that makes schemas
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// EnvPostgres names the PostgreSQL server tests use.
const EnvPostgres = "JOINTCAL_TEST_DATABASE_URL"

// Backend is one database a test can run on.
type Backend struct {
	Name string
	// DSN opens a new, empty, migrated-on-first-use database each call.
	DSN func(t testing.TB) string
}

// Backends lists SQLite and, when configured, PostgreSQL.
func Backends() []Backend {
	out := []Backend{{Name: "sqlite", DSN: sqliteDSN}}
	if os.Getenv(EnvPostgres) != "" {
		out = append(out, Backend{Name: "postgres", DSN: postgresDSN})
	}
	return out
}

// EnvBackends, when set, names the backends ForEach and ForEachPair run
// their subtests on ("postgres"), the others being skipped: CI's race
// pass, against PostgreSQL, leaves SQLite to the pass before it (the
// README's command), which runs every test on SQLite without the race
// detector and would otherwise be run a second time at ten times the cost.
const EnvBackends = "JOINTCAL_TEST_BACKENDS"

// skipUnwanted skips a backend's subtest that EnvBackends leaves out.
func skipUnwanted(t *testing.T, name string) {
	if want := os.Getenv(EnvBackends); want != "" && !slices.Contains(strings.Split(want, ","), name) {
		t.Skipf("%s=%s", EnvBackends, want)
	}
}

// ForEach runs fn as a subtest on every backend, each with its own store.
func ForEach(t *testing.T, fn func(t *testing.T, s *storage.Store)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			skipUnwanted(t, b.Name)
			fn(t, OpenDSN(t, b.DSN(t)))
		})
	}
}

// ForEachPair runs fn as a parallel subtest on every backend with two
// stores on one database, as two processes sharing it would have: what
// one commits, the other must notice.
func ForEachPair(t *testing.T, fn func(t *testing.T, here, other *storage.Store)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			skipUnwanted(t, b.Name)
			t.Parallel()
			dsn := b.DSN(t)
			fn(t, OpenDSN(t, dsn), OpenDSN(t, dsn))
		})
	}
}

// OpenBench opens, without migrating, the database a benchmark runs on:
// the one named by JOINTCAL_BENCH_DB (a copy of one filled by `jointcal
// demo --scale N`), closed when b ends; without it the benchmark is
// skipped.
func OpenBench(b *testing.B, set models.Settings) *storage.Store {
	b.Helper()
	dsn := os.Getenv("JOINTCAL_BENCH_DB")
	if dsn == "" {
		b.Skip("set JOINTCAL_BENCH_DB to a copy of a database made by jointcal demo --scale")
	}
	s, err := storage.Open(dsn, set)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// Open returns a migrated store on SQLite (the README's promise: tests
// need nothing but Go).
func Open(t testing.TB) *storage.Store { return OpenDSN(t, sqliteDSN(t)) }

// OpenDSN opens and migrates the database at dsn, closed when t ends.
func OpenDSN(t testing.TB, dsn string) *storage.Store {
	t.Helper()
	return OpenWith(t, dsn, models.DefaultSettings())
}

// OpenWith is OpenDSN with settings of the test's own.
func OpenWith(t testing.TB, dsn string, set models.Settings) *storage.Store {
	t.Helper()
	s, err := storage.Open(dsn, set)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func sqliteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "jointcal.db")
}

// postgresDSN creates a schema of its own for the test and returns a URL
// whose search_path points at it (then public, where btree_gist lives),
// so tests in parallel packages never see each other's rows.
func postgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Extensions are per database; making it here, once, in public keeps
	// it out of the schemas that tests drop.
	if _, err := admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"); err != nil && !strings.Contains(err.Error(), "already exists") && !strings.Contains(err.Error(), "duplicate key") {
		t.Fatalf("create btree_gist: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// ReadRows runs q on the database at dsn and returns each row as one line
// of text, sorted: for comparing what two paths wrote, row by row, on
// either backend ("sqlite" or "postgres", as Backend names them).
func ReadRows(t testing.TB, backend, dsn, q string) []string {
	t.Helper()
	driver := "pgx"
	if backend == "sqlite" {
		driver = "sqlite"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var line strings.Builder
		for i, v := range vals {
			if i > 0 {
				line.WriteString(" | ")
			}
			switch v := v.(type) {
			case []byte:
				line.Write(v)
			case time.Time:
				line.WriteString(v.UTC().Format(time.RFC3339Nano))
			default:
				fmt.Fprint(&line, v)
			}
		}
		out = append(out, line.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// ActivityWrites are the rows a new activity's write leaves, each read as
// text keyed by the activity's source UID (ids and timestamps left out,
// except the references between rows that the same writes number alike
// in two fresh databases), for ReadRows: what the bulk writer and an
// import's batches must write exactly as the booking path does. A
// caller adds or replaces the queries of its own path.
func ActivityWrites() map[string]string {
	return map[string]string{
		"activities": `SELECT a.source_uid, a.kind, a.title, a.description, a.start_at, a.end_at, a.timezone, a.all_day, a.rrule,
		a.exdates, a.rdates, a.status, a.format, a.venue_id, a.lead_organization_id, a.restricted, a.areas, a.series,
		a.parent_id, a.reminders, a.conference_url, a.version, a.sequence, a.deleted_at FROM activities a`,
		"participants": `SELECT a.source_uid, p.position, p.type, p.ref_id, p.role, p.required, p.rsvp
		FROM participants p JOIN activities a ON a.id = p.activity_id`,
		"occurrences": `SELECT a.source_uid, o.recurrence_id, o.start_s, o.end_s FROM occurrences o JOIN activities a ON a.id = o.activity_id`,
		"occupancy": `SELECT a.source_uid, o.kind, o.start_s, o.end_s, o.resource_type, o.resource_id, o.required, o.virtual, o.exclusive, o.proposed
		FROM occupancy o JOIN activities a ON a.id = o.activity_id`,
		"audit": `SELECT a.source_uid, l.actor, l.action, l.reason, l.before_json, l.after_json
		FROM audit_log l JOIN activities a ON a.id = l.entity_id WHERE l.entity = 'activity'`,
		"extent": `SELECT max_length_s FROM occupancy_extent`,
	}
}

// SameRows reports, through t, every query of queries whose rows differ
// between the databases at gotDSN and wantDSN (ReadRows on backend): the
// row counts, and the first row that differs. label prefixes each report
// and names the two paths, as "step 1: batches/one by one".
func SameRows(t testing.TB, backend, gotDSN, wantDSN string, queries map[string]string, label, gotPath, wantPath string) {
	t.Helper()
	for name, q := range queries {
		got, want := ReadRows(t, backend, gotDSN, q), ReadRows(t, backend, wantDSN, q)
		if len(got) != len(want) {
			t.Errorf("%s%s: %s wrote %d rows, %s %d", label, name, gotPath, len(got), wantPath, len(want))
		}
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("%s%s: first difference at row %d:\n %s: %s\n %s: %s", label, name, i, gotPath, got[i], wantPath, want[i])
				break
			}
		}
	}
}
