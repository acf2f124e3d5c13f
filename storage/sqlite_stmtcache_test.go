package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	moderncsqlite "modernc.org/sqlite"
)

// countingConnector counts the statements its connections compile.
type countingConnector struct {
	driver.Connector
	prepares *atomic.Int64
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return countingConn{driverConn: conn.(driverConn), prepares: c.prepares}, nil
}

type countingConn struct {
	driverConn
	prepares *atomic.Int64
}

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.prepares.Add(1)
	return c.driverConn.PrepareContext(ctx, query)
}

// cachedPool opens a one-connection pool on a fresh file through the
// statement cache, holding size statements, over a connector that counts
// compilations.
func cachedPool(t *testing.T, size int) (*sql.DB, *atomic.Int64) {
	t.Helper()
	base, err := moderncsqlite.NewConnector(sqliteDSN(filepath.Join(t.TempDir(), "cache.db"), 0))
	if err != nil {
		t.Fatal(err)
	}
	prepares := new(atomic.Int64)
	db := sql.OpenDB(cachingConnector{base: countingConnector{Connector: base, prepares: prepares}, size: size})
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE n (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 3; v++ {
		if _, err := db.Exec(`INSERT INTO n (v) VALUES (?)`, v); err != nil {
			t.Fatal(err)
		}
	}
	return db, prepares
}

// TestSQLiteStatementsCompiledOncePerConnection: a text run again and
// again, in and out of transactions, is compiled once.
func TestSQLiteStatementsCompiledOncePerConnection(t *testing.T) {
	t.Parallel()
	db, prepares := cachedPool(t, 16)
	before := prepares.Load()
	const q = `SELECT COUNT(*) FROM n WHERE v >= ?`
	for i := 0; i < 20; i++ {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := tx.QueryRow(q, 2).Scan(&got); err != nil || got != 2 {
			t.Fatalf("count in transaction = %d, %v; want 2", got, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(q, 3).Scan(&got); err != nil || got != 1 {
			t.Fatalf("count = %d, %v; want 1", got, err)
		}
	}
	if n := prepares.Load() - before; n != 1 {
		t.Fatalf("the statement was compiled %d times for 40 runs; want once", n)
	}
}

// TestSQLiteStatementCacheNestedAndEvicted: a text queried again while
// its own rows are open gets a cursor of its own (one compiled statement
// holds one), and a statement evicted while its rows are open keeps
// serving them.
func TestSQLiteStatementCacheNestedAndEvicted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int
	}{
		{"kept", 16},
		{"evicted while open", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, _ := cachedPool(t, tt.size)
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback() }()
			const q = `SELECT v FROM n WHERE v >= ? ORDER BY v`
			outer, err := tx.Query(q, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for outer.Next() {
				var v int
				if err := outer.Scan(&v); err != nil {
					t.Fatal(err)
				}
				// The same text, nested, and (size 1) another text that
				// pushes the outer statement out of the cache.
				var inner []int
				rows, err := tx.Query(q, v)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var w int
					if err := rows.Scan(&w); err != nil {
						t.Fatal(err)
					}
					inner = append(inner, w)
				}
				if err := rows.Close(); err != nil {
					t.Fatal(err)
				}
				var max int
				if err := tx.QueryRow(`SELECT MAX(v) FROM n`).Scan(&max); err != nil {
					t.Fatal(err)
				}
				got += fmt.Sprintf("%d:%v/%d ", v, inner, max)
			}
			if err := outer.Err(); err != nil {
				t.Fatal(err)
			}
			if err := outer.Close(); err != nil {
				t.Fatal(err)
			}
			if want := "1:[1 2 3]/3 2:[2 3]/3 3:[3]/3 "; got != want {
				t.Fatalf("nested reads = %q; want %q", got, want)
			}
			var n int
			if err := tx.QueryRow(q+` LIMIT 1`, 2).Scan(&n); err != nil || n != 2 {
				t.Fatalf("after the nested reads: %d, %v; want 2", n, err)
			}
		})
	}
}
