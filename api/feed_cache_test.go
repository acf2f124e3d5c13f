package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/gate"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedCacheBoundedByBytes: whatever is put, the cache never holds more
// than its budget; the least recently used goes first; an entry larger than
// the budget is not kept.
func TestFeedCacheBoundedByBytes(t *testing.T) {
	t.Parallel()
	fc := newFeedCache(1000)
	key := func(i int) cacheKey { return cacheKey{kind: cachedBlock, id: int64(i), version: 1} }
	for i := range 100 {
		fc.put(key(i), cacheValue{gz: make([]byte, 10)}, 300)
		if fc.bytes() > 1000 {
			t.Fatalf("after %d puts the cache holds %d bytes, budget 1000", i+1, fc.bytes())
		}
		if i >= 1 {
			fc.get(key(0)) // keep the first one in use
		}
	}
	if _, ok := fc.get(key(0)); !ok {
		t.Error("the most recently used entry was evicted")
	}
	if _, ok := fc.get(key(1)); ok {
		t.Error("a least recently used entry survived")
	}
	if _, ok := fc.get(key(99)); !ok {
		t.Error("the newest entry is missing")
	}
	fc.put(key(500), cacheValue{}, 1001)
	if _, ok := fc.get(key(500)); ok || fc.bytes() > 1000 {
		t.Errorf("an entry over the budget was kept (holding %d bytes)", fc.bytes())
	}
	fc.put(key(99), cacheValue{}, 50) // replacing an entry re-counts it
	if got := fc.bytes(); got != 650 {
		t.Errorf("after replacing an entry the cache counts %d bytes, want 650", got)
	}
}

// feedFixture is a server on a fresh store with an EU feed of n meetings.
func feedFixture(t *testing.T, n int, adjust func(*config.Config)) (*Server, string) {
	t.Helper()
	store := storagetest.Open(t)
	ctx := context.Background()
	sys := models.System()
	if _, err := store.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union", ContactEmail: "coop@eeas.example"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		in := models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Meeting %d with a title long enough to fold the line once", i), Description: "Preparation of the informal meeting.",
			Start: start.Add(time.Duration(i) * 3 * time.Hour), End: start.Add(time.Duration(i)*3*time.Hour + time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
		if _, err := store.CreateActivity(ctx, sys, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s := testServer(t, store, adjust)
	_, token, err := store.CreateFeed(ctx, sys, models.FeedInput{Name: "EU", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, s.cfg.MaxFeedsPerOwner)
	if err != nil {
		t.Fatal(err)
	}
	return s, "/feeds/" + token + ".ics"
}

// testServer is a server on store with the default settings, as adjust
// changes them (nil: none), closed when tb ends.
func testServer(tb testing.TB, store *storage.Store, adjust func(*config.Config)) *Server {
	tb.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		tb.Fatal(err)
	}
	if adjust != nil {
		adjust(&cfg)
	}
	s := New(store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tb.Cleanup(s.Close)
	return s
}

func get(s *Server, path string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// TestFeedBusy: when every render slot stays taken, a feed that needs
// rendering is a 503 problem with Retry-After after a short wait, and a
// feed whose events are all cached is still served.
func TestFeedBusy(t *testing.T) {
	t.Parallel()
	s, path := feedFixture(t, 3, func(c *config.Config) { c.FeedRenders = 1 })
	s.feedGate = gate.New(1, 20*time.Millisecond)
	s.feedGate.Enter(context.Background()) // a render that does not end
	rec := get(s, path)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("full gate: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Type != "urn:jointcal:problem:feed-busy" || p.Status != 503 {
		t.Fatalf("problem: %+v %v", p, err)
	}
	s.feedGate.Leave()
	if rec := get(s, path); rec.Code != http.StatusOK {
		t.Fatalf("free gate: %d %s", rec.Code, rec.Body)
	}
	s.feedGate.Enter(context.Background())
	defer s.feedGate.Leave()
	if rec := get(s, path); rec.Code != http.StatusOK {
		t.Fatalf("cached feed with a full gate: %d %s", rec.Code, rec.Body)
	}
	if rec := get(s, path, "Accept-Encoding", "gzip"); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("ETag") != "" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("a gzip body not yet compressed with a full gate: %d %v, want 503 with Retry-After and no ETag", rec.Code, rec.Header())
	}
}

// TestFeedCacheBudgetHolds: a feed larger than the cache budget is served
// complete and identical to one from an ample cache, and the cache stays
// within its budget.
func TestFeedCacheBudgetHolds(t *testing.T) {
	t.Parallel()
	s, path := feedFixture(t, 40, func(c *config.Config) { c.FeedCacheBytes = 8 << 10 })
	small := get(s, path)
	if small.Code != http.StatusOK {
		t.Fatalf("%d %s", small.Code, small.Body)
	}
	if small.Body.Len() <= 8<<10 {
		t.Fatalf("the feed (%d bytes) should exceed the 8 KiB budget for this test", small.Body.Len())
	}
	if got := s.feedCache.bytes(); got > 8<<10 {
		t.Fatalf("the cache holds %d bytes, budget %d", got, 8<<10)
	}
	again := get(s, path)
	if again.Body.String() != small.Body.String() {
		t.Fatal("a feed re-rendered through a small cache differs")
	}
	if cl := small.Header().Get("Content-Length"); cl != fmt.Sprint(small.Body.Len()) {
		t.Fatalf("Content-Length %s for a body of %d bytes", cl, small.Body.Len())
	}
	cfg := s.cfg
	cfg.FeedCacheBytes = 64 << 20
	ample := New(s.store, cfg, s.log)
	t.Cleanup(ample.Close)
	if got := get(ample, path); got.Body.String() != small.Body.String() {
		t.Fatal("the feed differs between a small and an ample cache")
	}
}

// TestFeedConcurrentPolls: simultaneous polls of one feed, with and
// without gzip, share the listing and all get the same complete feed
// (run with -race for the memo and cache).
func TestFeedConcurrentPolls(t *testing.T) {
	t.Parallel()
	s, path := feedFixture(t, 12, nil)
	want := get(s, path+"?from=2027-01-01T00:00:00Z&to=2028-01-01T00:00:00Z")
	if want.Code != http.StatusOK {
		t.Fatalf("%d %s", want.Code, want.Body)
	}
	type result struct {
		code int
		body string
	}
	results := make(chan result, 16)
	for i := range 16 {
		go func() {
			h := []string{}
			if i%2 == 1 {
				h = []string{"Accept-Encoding", "gzip"}
			}
			rec := get(s, path, h...)
			if i%2 == 1 {
				results <- result{rec.Code, rec.Header().Get("Content-Encoding")}
				return
			}
			results <- result{rec.Code, rec.Body.String()}
		}()
	}
	var first string
	for i := range 16 {
		r := <-results
		if r.code != http.StatusOK {
			t.Fatalf("poll %d: status %d", i, r.code)
		}
		if r.body == "gzip" {
			continue
		}
		if first == "" {
			first = r.body
		} else if r.body != first {
			t.Fatal("two simultaneous polls got different feeds")
		}
	}
	if first != want.Body.String() {
		t.Fatal("the polled feed differs from the one fetched alone")
	}
}
