package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// fetchFlushEvery is how often a process writes the feed polls it has
// counted. Every write is a commit, and a commit ends every answer cached
// by data version (the conflicts agenda, the activity list's totals): at
// 5 s, calendar clients polling kept those caches at most 5 s old even
// when nobody booked anything. A minute matches the agenda cache's own
// age limit; the feed list flushes this process's counts before it
// answers, so only other processes' polls can be that late, and
// last-fetched times are read in hours by the planners who look at them.
const fetchFlushEvery = time.Minute

// fetchRecorder batches feed polls in memory and writes them every
// fetchFlushEvery, so that a busy feed costs no write per request.
type fetchRecorder struct {
	store   *storage.Store
	log     *slog.Logger
	mu      sync.Mutex
	pending map[int64]*models.FeedFetch
	writer  *flusher
}

func newFetchRecorder(store *storage.Store, log *slog.Logger, every time.Duration) *fetchRecorder {
	r := &fetchRecorder{store: store, log: log, pending: map[int64]*models.FeedFetch{}}
	r.writer = startFlusher(every, nil, func() { r.flush(context.Background()) })
	return r
}

func (r *fetchRecorder) add(feedID int64, userAgent string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.pending[feedID]
	if !ok {
		f = &models.FeedFetch{FeedID: feedID}
		r.pending[feedID] = f
	}
	f.At, f.UserAgent = at, userAgent
	f.Count++
}

func (r *fetchRecorder) flush(ctx context.Context) {
	r.mu.Lock()
	batch := make([]models.FeedFetch, 0, len(r.pending))
	for _, f := range r.pending {
		batch = append(batch, *f)
	}
	r.pending = map[int64]*models.FeedFetch{}
	r.mu.Unlock()
	if err := r.store.RecordFeedFetches(ctx, batch); err != nil {
		r.log.Warn("could not record feed fetches; keeping them for the next flush", "error", err, "feeds", len(batch))
		r.keep(batch)
	}
}

// keep puts back counts whose write failed, merged with the polls counted
// since, so that a failed flush (the database busy, a shutdown racing it)
// loses nothing: the next flush writes them.
func (r *fetchRecorder) keep(batch []models.FeedFetch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range batch {
		f, ok := r.pending[b.FeedID]
		if !ok {
			f := b
			r.pending[b.FeedID] = &f
			continue
		}
		f.Count += b.Count // f's time and user agent are the later poll's
	}
}

// close writes what is pending and stops the background flusher.
func (r *fetchRecorder) close() { r.writer.close() }
