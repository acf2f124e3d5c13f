package storage

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// listTotalsMax bounds the totals kept: a total is a few dozen bytes and
// its key the query's text, so a full table costs well under a megabyte.
const listTotalsMax = 1024

// listTotals keeps the totals of list queries, each with the data version
// (DataVersion) it was counted at. A list's total counts every row that
// matches, not just the page's: at 100,000 activities the activity list's
// count read 100,000 index entries (10 ms of the pure-Go driver's CPU) on
// every page, while the rows it counts change only when something is
// written. A total is served only while the data version is the one read
// before it was counted, so it is never older than the last commit of any
// process sharing the database.
//
// The key is the count statement's SQL and arguments as gorm builds them,
// so the visibility condition and its organisation are part of it: two
// viewers share a total only when their counts are the same statement.
type listTotals struct {
	mu sync.Mutex
	m  map[string]countedTotal
}

// countedTotal is a total and the data version it was counted at.
type countedTotal struct {
	version string
	n       int64
}

// countTotal counts the rows of q, from listTotals when the database has
// not changed since the same statement was counted. A failure to read the
// data version only costs the cache: the rows are counted as before.
func (s *Store) countTotal(ctx context.Context, q *gorm.DB) (int64, error) {
	count := func() (int64, error) { return countRows(q) }
	key, err := countKey(q)
	if err != nil {
		return 0, err
	}
	version, err := s.DataVersion(ctx)
	if err != nil {
		return count()
	}
	if n, ok := s.totals.get(key, version); ok {
		return n, nil
	}
	n, err := count()
	if err != nil {
		return 0, err
	}
	s.totals.put(key, countedTotal{version: version, n: n})
	return n, nil
}

// countKey is the count statement of q as SQL and arguments, built without
// running it.
func countKey(q *gorm.DB) (string, error) {
	var n int64
	dry := q.Session(&gorm.Session{DryRun: true}).Count(&n)
	if dry.Error != nil {
		return "", fmt.Errorf("build the count statement: %w", dry.Error)
	}
	var b strings.Builder
	b.WriteString(dry.Statement.SQL.String())
	for _, v := range dry.Statement.Vars {
		if t, ok := v.(time.Time); ok {
			v = t.Round(0) // without the monotonic reading, which fmt prints
		}
		fmt.Fprintf(&b, "\x00%T:%q", v, fmt.Sprint(v))
	}
	return b.String(), nil
}

func (t *listTotals) get(key, version string) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.m[key]
	if !ok || c.version != version {
		return 0, false
	}
	return c.n, true
}

// put keeps a total; when the table is full it starts again, since totals
// of older versions are worthless and the rest are cheap to count again.
func (t *listTotals) put(key string, c countedTotal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) >= listTotalsMax {
		t.m = make(map[string]countedTotal)
	}
	t.m[key] = c
}
