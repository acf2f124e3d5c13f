package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jointcal/jointcal/gate"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	moderncsqlite "modernc.org/sqlite"
)

// Store is the only gateway to the database. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	dialect models.Dialect
	// writeMu serialises write transactions on SQLite inside this process,
	// so that a conflict check and the insert it guards cannot interleave
	// (SQLite allows one writer; BEGIN IMMEDIATE covers other processes).
	writeMu sync.Mutex
	now     func() time.Time
	// generation counts committed writes of this process, so caches can
	// tell at no cost whether anything changed here since they filled.
	generation atomic.Uint64
	// version reads the committed state's token for caches that must
	// also notice other processes' writes (DataVersion).
	version dataVersion
	// totals keeps list totals counted at a data version (countTotal).
	totals listTotals
	// agendaGate bounds the conflicts agendas computed at once
	// (Settings.AgendaComputes).
	agendaGate *gate.Gate
	// reportCap is maxReportActivities and agendaSpan agendaPageStarts,
	// lowered by tests.
	reportCap, agendaSpan int
	// planning holds the expansion limits and rule settings the store
	// applies on every write; reminders the outbox rules. Both are given
	// to Open and fixed for the store's life.
	planning  models.PlanningSettings
	reminders models.ReminderSettings
	proposals models.ProposalSettings
	// checkpoints copies SQLite's write-ahead log back into the file
	// outside the write lock (sqlite_checkpoint.go); nil on PostgreSQL.
	checkpoints *checkpointer
	// tokens keeps service tokens read in the last moment
	// (token_cache.go), so that a burst of requests reads its token once.
	tokens *tokenCache
}

// Limits are the expansion limits every write applies; the scheduler's
// external sync expands with the same.
func (s *Store) Limits() planning.Limits { return s.planning.Limits }

// ReminderPlanAhead is how far ahead the dispatcher plans reminders.
func (s *Store) ReminderPlanAhead() time.Duration { return s.reminders.PlanAhead }

// Open connects to the database named by dsn: a postgres:// or
// postgresql:// URL, or else a SQLite file path (with an optional sqlite: or
// file: prefix). SQLite runs in WAL mode with foreign keys on and a busy
// timeout, so readers never block the writer.
func Open(dsn string, set models.Settings) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		PrepareStmtMaxSize:     512,
		PrepareStmtTTL:         time.Hour,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var (
		db      *gorm.DB
		err     error
		dialect models.Dialect
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		// No gorm statement cache on PostgreSQL: pgx already prepares and
		// caches statements per connection, and gorm's cache prepares a
		// statement first seen inside a transaction on a pooled
		// connection under its lock — with every connection held by a
		// booking transaction, that waited for ever (two serve processes,
		// 120 concurrent bookings).
		dialect = models.Postgres
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		// Each connection keeps its compiled statements
		// (sqlite_stmtcache.go), in and out of transactions; gorm's own
		// statement cache stays off.
		dialect = models.SQLite
		db, err = openSQLite(sqliteDSN(dsn, set.SQLiteMmapBytes), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == models.SQLite {
		// One writer at a time is SQLite's rule; a few connections let
		// WAL readers proceed while it writes.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	s := &Store{db: db, dialect: dialect, now: func() time.Time { return time.Now().UTC() }, planning: set.Planning, reminders: set.Reminders, proposals: set.Proposals,
		agendaGate: set.AgendaGate, tokens: newTokenCache(), reportCap: maxReportActivities, agendaSpan: agendaPageStarts}
	if s.agendaGate == nil {
		s.agendaGate = gate.New(set.AgendaComputes, set.AgendaWait)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	if dialect == models.SQLite {
		log := set.Log
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		s.startCheckpoints(log)
	}
	return s, nil
}

// openSQLite opens a pool of modernc.org/sqlite connections that keep
// their statements, behind gorm's SQLite dialect.
func openSQLite(dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	base, err := moderncsqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("SQLite database URL: %w", err)
	}
	pool := sql.OpenDB(cachingConnector{base: base, size: stmtCacheSize})
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: pool}), cfg)
	if err != nil {
		_ = pool.Close()
		return nil, err
	}
	return db, nil
}

// sqliteDSN turns a path into a DSN with the pragmas jointcal relies on;
// mmap is the mmap_size of every connection (0: none), unless the path's
// own query already sets one.
func sqliteDSN(dsn string, mmap int64) string {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Checkpoints run beside the writers (sqlite_checkpoint.go); SQLite's
	// own, inside a commit, is the backstop.
	q.Add("_pragma", "wal_autocheckpoint("+strconv.Itoa(walAutocheckpointPages)+")")
	// Statement journals (a multi-row write or a foreign-key check inside
	// a transaction copies the pages it changes) in small heap chunks:
	// on disk they opened a temporary file past 64 KiB, and before that
	// took 64 KiB chunks that the pure-Go driver's allocator maps and
	// unmaps from the kernel for every such statement.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Pages read through a memory map rather than one pread and lseek
	// each: at 100,000 activities those system calls were most of a
	// month's occurrence list (docs/PERFORMANCE.md).
	if mmap > 0 && !strings.Contains(path, "mmap_size") {
		q.Add("_pragma", "mmap_size("+strconv.FormatInt(mmap, 10)+")")
	}
	// Write transactions take the write lock at BEGIN, so a second writer
	// (another process) waits out the busy timeout instead of failing when
	// it upgrades a stale read snapshot.
	q.Set("_txlock", "immediate")
	// Times as text in SQLite's own layout with a zone offset
	// ("2006-01-02 15:04:05.999999999-07:00"), as every file so far holds
	// them; modernc.org/sqlite would otherwise write time.Time.String.
	q.Set("_time_format", "sqlite")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return "file:" + path + sep + q.Encode()
}

// Dialect reports which database the store talks to.
func (s *Store) Dialect() models.Dialect { return s.dialect }

// Ping checks that the database answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func (s *Store) Close() error {
	s.stopCheckpoints()
	s.version.close()
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// SetClock replaces the store's clock; tests use it for deterministic
// timestamps and expansion horizons.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's idea of the current time (UTC).
func (s *Store) Now() time.Time { return s.now() }

// write runs fn in a transaction that is the only writer: on SQLite it
// also holds the in-process write lock, so that a check made inside fn
// still holds when fn commits.
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	err := s.serialized(ctx, fn)
	if err == nil {
		s.generation.Add(1)
	}
	return err
}

// serialized runs fn in a transaction that is the only writer, as write
// does, without counting it as a change to the data: for tables that only
// keep what can be derived from the rest (rendered feed blocks), whose
// writes must not make caches of that data think it changed.
func (s *Store) serialized(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.dialect == models.SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	var err error
	for attempt := 0; ; attempt++ {
		err = s.db.WithContext(ctx).Transaction(fn)
		// Another process's commit can invalidate this connection's read
		// snapshot (SQLITE_BUSY_SNAPSHOT), which no busy timeout waits
		// out; the transaction was rolled back, so it is run again.
		if err == nil || s.dialect != models.SQLite || !isBusy(err) || attempt == 4 || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

// isBusy reports SQLite's SQLITE_BUSY family (5, and 517 for a stale
// snapshot).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()&0xff == 5
	}
	return false
}

// Generation is the number of writes this process has committed; it
// changes whenever data may have changed through this store.
func (s *Store) Generation() uint64 { return s.generation.Load() }

// IsUnavailable reports an error that means the database cannot be
// reached or cannot take the request now (connection refused or lost,
// server shutting down, SQLite busy past its timeout or its file gone):
// a client should retry later, so the API answers 503, not 500.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var (
		ce    *pgconn.ConnectError
		pgErr *pgconn.PgError
		netE  net.Error
		coded interface{ Code() int }
	)
	switch {
	case errors.As(err, &ce), errors.As(err, &netE), errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01–57P03: shutting down or
		// not accepting connections yet.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.As(err, &coded):
		switch coded.Code() & 0xff {
		case 5, 6, 14: // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN
			return true
		}
	}
	// pgx reports a connection it had to drop mid-query in plain words.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "failed to connect") || strings.Contains(msg, "broken pipe") || strings.Contains(msg, "connection reset")
}

// isDuplicate reports a unique-constraint violation.
func isDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }
