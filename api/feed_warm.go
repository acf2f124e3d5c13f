package api

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
)

// errRenderBusy: every feed render slot stayed taken for feedQueueWait.
var errRenderBusy = errors.New("every feed render slot is taken")

// warmFetchedWithin selects the feeds worth rendering after a start:
// those a calendar client fetched this recently, which will be fetched
// again within minutes.
const warmFetchedWithin = 7 * 24 * time.Hour

// WarmFeeds renders, after a start, the default window of the feeds that
// subscribers fetched within warmFetchedWithin — most recently fetched
// first, until the cache holds half its budget — so that the first
// request of each after a restart or a deployment is served from the
// cache instead of reading and rendering every event. It renders through
// the same gate as requests, so subscribers are never kept waiting by it
// for longer than one render. It returns how many feeds it warmed.
func (s *Server) WarmFeeds(ctx context.Context) (int, error) {
	var feeds []models.Feed
	opts := models.ListOptions{Limit: models.MaxLimit}
	since := time.Now().Add(-warmFetchedWithin)
	for {
		page, err := s.store.ListFeeds(ctx, models.System(), opts)
		if err != nil {
			return 0, err
		}
		for _, f := range page.Items {
			if f.LastFetchedAt != nil && f.LastFetchedAt.After(since) {
				feeds = append(feeds, f)
			}
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	sort.Slice(feeds, func(i, j int) bool { return feeds[i].LastFetchedAt.After(*feeds[j].LastFetchedAt) })
	w := s.defaultFeedWindow()
	warmed := 0
	for i := range feeds {
		if ctx.Err() != nil || s.feedCache.bytes() > s.cfg.FeedCacheBytes/2 {
			break
		}
		gen := s.store.Generation()
		contents, err := s.store.FeedContents(ctx, &feeds[i], w, nil)
		if err != nil {
			return warmed, err
		}
		// The listing is kept, already expired: the first request brings
		// it up to date (what changed since) instead of listing again.
		s.feedMemo.mu.Lock()
		key := memoKey(feeds[i].TokenHash, w)
		if _, taken := s.feedMemo.entries[key]; !taken {
			s.feedMemo.set(key, memoEntry{feed: &feeds[i], contents: contents, expires: time.Now(), generation: gen})
		}
		s.feedMemo.mu.Unlock()
		layout, _, err := s.feedLayout(ctx, &feeds[i], contents, true, nil)
		if err != nil && !errors.Is(err, errRenderBusy) {
			return warmed, err
		}
		if err == nil {
			s.warmGzip(ctx, layout, contents.Version)
		}
		warmed++
	}
	return warmed, nil
}

// warmGzip compresses a warmed layout as a gzip answer would, under the
// key serveFeed looks up: calendar clients ask for gzip, so the first
// poll after a restart then compresses nothing. A busy gate or a failure
// leaves it to that poll.
func (s *Server) warmGzip(ctx context.Context, layout *calendar.Assembly, version string) {
	if ctx.Err() != nil {
		return
	}
	if _, err := s.cachedGzipBody(ctx, layout, feedGzipKey(version)); err != nil && !errors.Is(err, errRenderBusy) {
		s.log.Warn("could not compress a warmed feed", "error", err)
	}
}

// StartWarmingFeeds runs WarmFeeds in the background for the server's
// life (Close stops it), logging what it did.
func (s *Server) StartWarmingFeeds() {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		start := time.Now()
		n, err := s.WarmFeeds(s.jobCtx)
		if err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("feeds not warmed", "warmed", n, "error", err)
			return
		}
		s.log.Info("feeds warmed", "feeds", n, "cache_bytes", s.feedCache.bytes(), "duration_ms", time.Since(start).Milliseconds())
	}()
}
