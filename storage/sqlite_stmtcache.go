package storage

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
)

// SQLite statements are compiled once per connection and kept.
//
// Parsing and planning a statement was 13-15 % of a booking's CPU. gorm's
// own statement cache cannot avoid it inside transactions, where every
// write runs: it prepares a text first seen in a transaction on that
// transaction (database/sql closes such a statement with it), and
// Tx.StmtContext then prepares a closed statement again on every use. So
// the cache sits one level down, in the driver connection that
// database/sql hands every query and exec of the pool and of its
// transactions: each connection keeps its compiled statements by SQL text
// (modernc.org/sqlite keeps the compiled statement of a prepared one), up
// to a bound, least recently used first out.

// stmtCacheSize bounds the statements one connection keeps. gorm writes
// an IN list with one placeholder per value, so texts differ by list
// length; a few hundred cover every shape the store writes often, and
// each costs a few kilobytes of SQLite memory per connection.
const stmtCacheSize = 384

// A statement's compiled program grows with its text, at roughly twenty
// times its size, and every length of an IN list is a text of its own. Kept
// without a bound on their size, the statements of 50 feeds fetched at
// 100,000 activities held about 55 MB more of the process's own memory
// than no cache (docs/PERFORMANCE.md). Texts longer than stmtCacheMaxText
// are not kept, and the texts a connection keeps add up to
// stmtCacheTextBudget at most: enough for the statements of a booking and
// a conflict check (about 30, a few hundred bytes each), not for the long
// one-off shapes of lists and feeds.
const (
	stmtCacheMaxText    = 2 << 10
	stmtCacheTextBudget = 64 << 10
)

// cachingConnector opens connections that keep their statements.
type cachingConnector struct {
	base driver.Connector
	size int
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newCachingConn(conn, c.size)
}

func (c cachingConnector) Driver() driver.Driver { return c.base.Driver() }

// driverConn is what database/sql uses of a modernc.org/sqlite connection;
// a connection that lacks any of it is refused, so that a driver change
// cannot silently drop context handling or connection checks.
type driverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type stmtBoth interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is one connection with its statements. database/sql never
// uses a connection from two goroutines at once, so it needs no lock.
type cachingConn struct {
	driverConn
	size  int
	text  int                      // bytes of SQL text kept
	bySQL map[string]*list.Element // of *cachedStmt
	lru   list.List                // most recently used first
}

// cachedStmt is a compiled statement; busy while rows of it are open, when
// the same text (a query nested in the iteration of its own results) is
// compiled afresh instead, since one compiled statement holds one cursor.
type cachedStmt struct {
	sql     string
	stmt    stmtBoth
	busy    bool
	evicted bool // out of the cache while busy: closed when its rows are
}

var errNotCachingDriver = errors.New("the SQLite driver's connection lacks an interface the statement cache forwards")

func newCachingConn(conn driver.Conn, size int) (*cachingConn, error) {
	dc, ok := conn.(driverConn)
	if !ok {
		_ = conn.Close()
		return nil, errNotCachingDriver
	}
	return &cachingConn{driverConn: dc, size: size, bySQL: make(map[string]*list.Element)}, nil
}

// Unwrap gives modernc.org/sqlite's helpers the connection itself.
func (c *cachingConn) Unwrap() driver.Conn { return c.driverConn }

// statement returns the connection's compiled statement for query, or nil
// when it is in use or too long to keep (the caller then runs the text
// uncached).
func (c *cachingConn) statement(ctx context.Context, query string) (*cachedStmt, error) {
	if len(query) > stmtCacheMaxText {
		return nil, nil
	}
	if e, ok := c.bySQL[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return cs, nil
	}
	st, err := c.driverConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	both, ok := st.(stmtBoth)
	if !ok {
		_ = st.Close()
		return nil, errNotCachingDriver
	}
	cs := &cachedStmt{sql: query, stmt: both}
	c.bySQL[query] = c.lru.PushFront(cs)
	c.text += len(query)
	for c.lru.Len() > c.size || c.text > stmtCacheTextBudget {
		c.evict(c.lru.Back())
	}
	return cs, nil
}

func (c *cachingConn) evict(e *list.Element) {
	cs := c.lru.Remove(e).(*cachedStmt)
	delete(c.bySQL, cs.sql)
	c.text -= len(cs.sql)
	if cs.busy {
		cs.evicted = true
		return
	}
	_ = cs.stmt.Close()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.driverConn.ExecContext(ctx, query, args)
	}
	return cs.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.driverConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	rb, ok := rows.(rowsBoth)
	if !ok {
		_ = rows.Close()
		return nil, errNotCachingDriver
	}
	cs.busy = true
	return &cachedRows{rowsBoth: rb, owner: cs}, nil
}

// Close closes the kept statements before the connection: SQLite keeps a
// connection with unfinalised statements open as a zombie.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		cs := e.Value.(*cachedStmt)
		if !cs.busy {
			_ = cs.stmt.Close()
		}
	}
	c.bySQL, c.lru = nil, list.List{}
	return c.driverConn.Close()
}

// rowsBoth is what database/sql and gorm use of the driver's rows.
type rowsBoth interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	rowsBoth
	owner *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.rowsBoth.Close()
	if cs := r.owner; cs != nil {
		r.owner = nil
		cs.busy = false
		if cs.evicted {
			if cerr := cs.stmt.Close(); err == nil {
				err = cerr
			}
		}
	}
	return err
}
