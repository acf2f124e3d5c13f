package storage

import (
	"sync"
	"time"

	"github.com/jointcal/jointcal/models"
)

// Service tokens are kept in memory for a moment after they are read.
//
// Every API request presents its token, and reading it was one statement
// of the three or four a conflict check runs (a round trip on PostgreSQL,
// about 6 % of a check's CPU on SQLite). A client sending a burst of
// requests presents the same token each time, so the row read for the
// first serves the next ones for tokenCacheTTL.
//
// What this may delay, and by how much:
//   - A revocation in this process (RevokeToken) empties the cache after
//     its commit: the next request is refused, as before.
//   - A revocation by another process on the same database (a second
//     `serve`, scale-out on PostgreSQL) is seen within tokenCacheTTL.
//   - Expiry is checked against the clock on every request, cached or not.
//   - Personal tokens are never kept: they act with their person's grants
//     as they are now, and are also revoked when the person's address
//     changes (endCredentials), which this cache would not hear of.
//
// Only tokens that authenticated are kept, never a refusal, so an unknown,
// revoked or expired secret costs the same statement it always did.

// tokenCacheTTL bounds how long another process's revocation of a service
// token may go unseen here (docs/DEPLOYMENT.md).
const tokenCacheTTL = time.Second

// tokenCacheMax bounds the service tokens kept; past it the cache is
// emptied of what has lapsed, and of everything if that is not enough
// (there are a handful of service tokens in practice).
const tokenCacheMax = 1024

// cachedToken is what Authenticate needs of a service token's row.
type cachedToken struct {
	token    models.Token
	loadedAt time.Time
}

// tokenCache maps the hash of a secret to its service token's row.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]cachedToken
	// epoch changes at every invalidation, so that a row read before a
	// revocation committed is not stored after the cache was emptied.
	epoch uint64
}

func newTokenCache() *tokenCache {
	return &tokenCache{entries: map[string]cachedToken{}}
}

// get returns the row kept for hash if it was read less than
// tokenCacheTTL before now, and the epoch to hand to put after a miss.
func (c *tokenCache) get(hash string, now time.Time) (models.Token, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !tokenFresh(e.loadedAt, now) {
		return models.Token{}, c.epoch, false
	}
	return e.token, c.epoch, true
}

// put keeps t, read at now, unless the cache was invalidated since epoch.
func (c *tokenCache) put(hash string, t models.Token, now time.Time, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= tokenCacheMax {
		c.dropLapsed(now)
	}
	c.entries[hash] = cachedToken{token: t, loadedAt: now}
}

// stamped records that the kept row of hash was marked used at now, so
// that the next requests within tokenCacheTTL do not mark it again.
func (c *tokenCache) stamped(hash string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; ok {
		e.token.LastUsedAt = &now
		c.entries[hash] = e
	}
}

// invalidate forgets every kept token; called after a revocation commits.
func (c *tokenCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.entries)
}

// dropLapsed removes the entries no longer fresh at now, and all of them
// when that leaves the cache full.
func (c *tokenCache) dropLapsed(now time.Time) {
	for h, e := range c.entries {
		if !tokenFresh(e.loadedAt, now) {
			delete(c.entries, h)
		}
	}
	if len(c.entries) >= tokenCacheMax {
		clear(c.entries)
	}
}

// tokenFresh tells whether a row read at loadedAt may still serve at now; a
// clock set back (tests) makes it stale rather than fresh for longer.
func tokenFresh(loadedAt, now time.Time) bool {
	return !now.Before(loadedAt) && now.Sub(loadedAt) < tokenCacheTTL
}
