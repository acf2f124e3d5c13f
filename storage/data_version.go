package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"

	"github.com/jointcal/jointcal/models"
)

// dataVersion reads a token naming the database's committed state, for
// caches of answers computed from many tables (the conflicts agenda):
// two equal tokens mean that no transaction committed in between, in this
// process or in any other sharing the database, so an answer computed
// after the first is still the answer at the second.
type dataVersion struct {
	mu sync.Mutex
	// conn is SQLite's connection kept for PRAGMA data_version, whose
	// value is per connection: it moves when any other connection, of
	// this process or another, has committed since this one last asked.
	conn *sql.Conn
	// epoch counts the connections opened for it, so that a reopened
	// connection's fresh count cannot repeat an earlier token.
	epoch int64
}

// DataVersion returns the token of the database's committed state (see
// dataVersion): on SQLite PRAGMA data_version on a connection of its own,
// on PostgreSQL the current snapshot, which changes whenever a
// transaction that wrote anything ends (a commit leaves the list of those
// in progress or moves its upper bound). Tokens are
// only compared for equality, within this process. Deletes are commits
// like any other write, so they move it too.
func (s *Store) DataVersion(ctx context.Context) (string, error) {
	if s.dialect == models.Postgres {
		var snap string
		if err := s.db.WithContext(ctx).Raw("SELECT pg_current_snapshot()::text").Scan(&snap).Error; err != nil {
			return "", fmt.Errorf("read the database snapshot: %w", err)
		}
		return snap, nil
	}
	return s.version.sqlite(ctx, s)
}

// sqlite asks the kept connection for its data version, opening it first
// when it is not open or was lost.
func (v *dataVersion) sqlite(ctx context.Context, s *Store) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn == nil {
		sqlDB, err := s.db.DB()
		if err != nil {
			return "", err
		}
		if v.conn, err = sqlDB.Conn(ctx); err != nil {
			return "", fmt.Errorf("open the data version connection: %w", err)
		}
		v.epoch++
	}
	var n int64
	if err := v.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&n); err != nil {
		_ = v.conn.Close()
		v.conn = nil
		return "", fmt.Errorf("read the data version: %w", err)
	}
	return strconv.FormatInt(v.epoch, 10) + "." + strconv.FormatInt(n, 10), nil
}

// close gives the kept connection back before the pool closes.
func (v *dataVersion) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		_ = v.conn.Close()
		v.conn = nil
	}
}
