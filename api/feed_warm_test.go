package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/models"
)

// TestWarmFeedsServesTheFirstRequestFromTheCache: after a restart, a
// feed that subscribers fetched recently is laid out in the background,
// so that its first request renders and reads nothing; a feed nobody
// fetched is left alone.
func TestWarmFeedsServesTheFirstRequestFromTheCache(t *testing.T) {
	t.Parallel()
	first, path := feedFixture(t, 40, nil)
	ctx := context.Background()
	_, idle, err := first.store.CreateFeed(ctx, models.System(), models.FeedInput{Name: "idle", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, first.cfg.MaxFeedsPerOwner)
	if err != nil {
		t.Fatal(err)
	}
	if r := get(first, path); r.Code != http.StatusOK {
		t.Fatalf("first fetch: %d", r.Code)
	}
	first.Close() // writes the fetch statistics, as a shutdown does

	restarted := New(first.store, first.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(restarted.Close)
	n, err := restarted.WarmFeeds(ctx)
	if err != nil || n != 1 {
		t.Fatalf("warmed %d feeds (%v), want the one fetched", n, err)
	}
	// The first process stored the blocks it rendered (Close writes them):
	// warming reads them instead of rendering.
	rendered, loaded := restarted.feedCache.rendered.Load(), restarted.feedCache.loaded.Load()
	if rendered != 0 || loaded != 40 {
		t.Fatalf("warming rendered %d and read %d stored events, want the feed's 40 read", rendered, loaded)
	}
	if r := get(restarted, path); r.Code != http.StatusOK {
		t.Fatalf("fetch after the restart: %d", r.Code)
	}
	if r, l := restarted.feedCache.rendered.Load(), restarted.feedCache.loaded.Load(); r != rendered || l != loaded {
		t.Fatalf("the first fetch after warming rendered %d and read %d stored events", r-rendered, l-loaded)
	}
	// Calendar clients ask for gzip: the warm-up compressed the feed too.
	parts := restarted.feedCache.compressedParts.Load()
	if parts == 0 {
		t.Fatal("warming compressed no part of the feed")
	}
	if r := get(restarted, path, "Accept-Encoding", "gzip"); r.Code != http.StatusOK || r.Header().Get("Content-Encoding") != "gzip" || restarted.feedCache.compressedParts.Load() != parts {
		t.Fatalf("the first gzip fetch after warming: %d %v, compressed %d parts", r.Code, r.Header(), restarted.feedCache.compressedParts.Load()-parts)
	}
	// The idle feed was not laid out, though its events come from the
	// blocks the warm feed left.
	if _, ok := restarted.feedCache.get(cacheKey{kind: cachedLayout, tag: idleVersion(t, restarted, idle)}); ok {
		t.Fatal("a feed nobody fetched was laid out")
	}
}

func idleVersion(t *testing.T, s *Server, token string) string {
	t.Helper()
	f, err := s.store.FeedByToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.store.FeedContents(context.Background(), f, s.defaultFeedWindow(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Version
}

// TestConcurrentColdRequestsRenderOnce: requests for the same feed while
// it is first laid out share the one computation.
func TestConcurrentColdRequestsRenderOnce(t *testing.T) {
	t.Parallel()
	s, path := feedFixture(t, 30, nil)
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = get(s, path).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: %d", i, c)
		}
	}
	if got := s.feedCache.rendered.Load(); got != 30 {
		t.Fatalf("six concurrent first requests rendered %d events, want the feed's 30 once", got)
	}
}
