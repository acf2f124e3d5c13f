package api

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedChunkedLayout: a feed larger than the cache budget, laid out a
// few events at a time with most of them packed, is byte for byte the
// feed an ample cache lays out in one chunk, before and after one of its
// activities changes; its layout is cached in less than the budget, so
// that the next poll is served without reading or rendering.
func TestFeedChunkedLayout(t *testing.T) {
	t.Parallel()
	const budget = 16 << 10
	s, path := feedFixture(t, 40, func(c *config.Config) { c.FeedCacheBytes = budget })
	s.feedChunk = 7 // six chunks, the last one short
	cfg := s.cfg
	cfg.FeedCacheBytes = 64 << 20
	ample := New(s.store, cfg, s.log)
	t.Cleanup(ample.Close)

	fetch := func(step string) string {
		t.Helper()
		got, want := get(s, path), get(ample, path)
		if got.Code != http.StatusOK || want.Code != http.StatusOK {
			t.Fatalf("%s: %d and %d", step, got.Code, want.Code)
		}
		if got.Body.Len() <= budget {
			t.Fatalf("%s: the feed (%d bytes) should exceed the %d-byte budget", step, got.Body.Len(), budget)
		}
		if got.Body.String() != want.Body.String() || got.Header().Get("ETag") != want.Header().Get("ETag") ||
			got.Header().Get("Last-Modified") != want.Header().Get("Last-Modified") {
			t.Fatalf("%s: the chunked feed (%d bytes) differs from the one laid out whole (%d bytes)", step, got.Body.Len(), want.Body.Len())
		}
		if cl := got.Header().Get("Content-Length"); cl != itoa(int64(got.Body.Len())) {
			t.Fatalf("%s: Content-Length %s for %d bytes", step, cl, got.Body.Len())
		}
		if n := strings.Count(got.Body.String(), "BEGIN:VEVENT"); n != 40 {
			t.Fatalf("%s: %d events, want 40", step, n)
		}
		etag := strings.Trim(got.Header().Get("ETag"), `"`)
		v, ok := s.feedCache.get(cacheKey{kind: cachedLayout, tag: etag})
		if !ok {
			t.Fatalf("%s: the layout of a feed larger than the budget was not cached", step)
		}
		if fp := v.layout.Footprint(); fp*2 > v.layout.Size() {
			t.Fatalf("%s: the layout keeps %d bytes of a %d-byte feed; most should be packed", step, fp, v.layout.Size())
		}
		if used := s.feedCache.bytes(); used > budget {
			t.Fatalf("%s: the cache holds %d bytes, budget %d", step, used, budget)
		}
		return got.Body.String()
	}
	before := fetch("first fetch")
	rendered := s.feedCache.rendered.Load()
	if again := get(s, path); again.Body.String() != before {
		t.Fatal("the cached layout gave other bytes")
	}
	if n := s.feedCache.rendered.Load() - rendered; n != 0 {
		t.Fatalf("the second poll rendered %d events; the layout was cached", n)
	}

	ctx := context.Background()
	v, err := s.store.GetActivity(ctx, models.System(), 20)
	if err != nil {
		t.Fatal(err)
	}
	in := v.Input()
	in.Title = "Renamed in the middle of the feed"
	if _, err := s.store.UpdateActivity(ctx, models.System(), v.ID, in, storage.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	after := fetch("after a change")
	if after == before || !strings.Contains(after, in.Title) {
		t.Fatal("the change is not in the feed")
	}
}

// TestInUIDOrder: the order worked out from the ids is that of the UIDs
// the events carry, for ids that are prefixes of one another and of every
// length.
func TestInUIDOrder(t *testing.T) {
	t.Parallel()
	s := testServer(t, storagetest.Open(t), nil)
	ids := []int64{1, 9, 10, 11, 19, 100, 101, 1000, 99, 999, 2, 20, 200, 21, 12345, 1234, 123456789012, math.MaxInt64, math.MaxInt64 - 1}
	for i := int64(1); i < 3000; i += 7 {
		ids = append(ids, i*i)
	}
	items := make([]models.FeedItem, len(ids))
	for i, id := range ids {
		items[i] = models.FeedItem{ID: id, Version: int(id % 5)}
	}
	got := s.inUIDOrder(items)
	want := slices.Clone(items)
	host := s.cfg.UIDHost()
	slices.SortFunc(want, func(a, b models.FeedItem) int {
		return strings.Compare(models.ActivityUID(a.ID, host), models.ActivityUID(b.ID, host))
	})
	if !slices.Equal(got, want) {
		t.Fatalf("order from the ids differs from the UIDs' order:\n%v\n%v", got[:20], want[:20])
	}
}
