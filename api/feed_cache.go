package api

import (
	"sync/atomic"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/gzipjoin"
	"github.com/prometheus/client_golang/prometheus"
)

// cacheKind tells apart what the feed cache holds.
type cacheKind uint8

const (
	// cachedBlock is one activity's rendered VEVENTs, keyed by id, version
	// and the reference-data fingerprint (names shown in the event).
	cachedBlock cacheKind = iota + 1
	// cachedLayout is a feed version's calendar head and ordered blocks.
	cachedLayout
	// cachedGzip is a feed version's gzip-compressed body, or one
	// activity's calendar file's.
	cachedGzip
	// cachedPart is a part of a feed layout, compressed alone, keyed by
	// the digest of its bytes (calendar.Part.Key).
	cachedPart
)

// cacheKey identifies a cache entry; fields a kind does not use are zero.
type cacheKey struct {
	kind    cacheKind
	id      int64
	version int
	tag     string // reference fingerprint (blocks), feed or activity version (layouts, gzip) or part digest
}

// cacheValue is one of a block, a layout or compressed bytes.
type cacheValue struct {
	block  *calendar.EventBlock
	layout *calendar.Assembly
	stamp  time.Time // a layout's Last-Modified
	gz     []byte
	part   gzipjoin.Part
}

// feedCache is a least-recently-used cache bounded by bytes, shared by
// every feed: blocks are per activity, so a thousand feeds or windows
// showing the same activities hold them once, and nothing a client asks
// for can make the cache hold more than its budget. A layout pins the
// blocks it orders, so it is charged their full size (a conservative
// count: a block held by both is counted twice).
type feedCache struct {
	// rendered counts the events rendered because no block was cached
	// (jointcal_feed_events_rendered_total): after one change to a feed of
	// thousands it should move by one.
	rendered atomic.Int64
	// loaded counts the events whose blocks were read from the database
	// instead (jointcal_feed_events_loaded_total).
	loaded atomic.Int64
	// streamed counts answers sent while their layout was made, from a
	// stored head (jointcal_feed_streamed_total).
	streamed atomic.Int64
	// compressedParts counts the parts of feed layouts compressed because
	// no compressed form of their bytes was cached
	// (jointcal_feed_parts_compressed_total): after one change to a feed
	// of thousands, served gzip-compressed, it should move by one (the
	// changed event's chunk), or two when the head's time zones changed.
	compressedParts atomic.Int64
	lru             *byteLRU[cacheKey, cacheValue]
}

func newFeedCache(budget int64) *feedCache {
	return &feedCache{lru: newByteLRU[cacheKey, cacheValue](budget)}
}

// get returns an entry and marks it recently used.
func (fc *feedCache) get(k cacheKey) (cacheValue, bool) { return fc.lru.get(k, nil) }

// put stores an entry of the given size (see byteLRU.put).
func (fc *feedCache) put(k cacheKey, v cacheValue, size int64) { fc.lru.put(k, v, size) }

// bytes is what the cache holds now (for tests and metrics).
func (fc *feedCache) bytes() int64 { return fc.lru.bytes() }

// registerFeedMetrics exposes the feed cache's size, the events rendered
// or read from the database, and the stored blocks' writes.
func (s *Server) registerFeedMetrics() {
	s.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jointcal_feed_cache_bytes", Help: "Bytes held by the feed cache (bounded by JOINTCAL_FEED_CACHE_BYTES)."},
			func() float64 { return float64(s.feedCache.bytes()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_feed_events_rendered_total", Help: "Feed events read and rendered because no cached rendering of their version existed."},
			func() float64 { return float64(s.feedCache.rendered.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_feed_events_loaded_total", Help: "Feed events whose rendering of their version was read from the database because it was not cached."},
			func() float64 { return float64(s.feedCache.loaded.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_feed_parts_compressed_total", Help: "Parts of feeds (some 256 events each) gzip-compressed because no compressed form of their bytes was cached."},
			func() float64 { return float64(s.feedCache.compressedParts.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_feed_streamed_total", Help: "Feed answers sent while their layout was made, from the head stored for their version."},
			func() float64 { return float64(s.feedCache.streamed.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_feed_blocks_stored_total", Help: "Rendered feed events written to the database."},
			func() float64 { return float64(s.blocks.stored.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_feed_blocks_unstored_total", Help: "Rendered feed events not written to the database: the writer was behind, or a write failed (both logged)."},
			func() float64 { return float64(s.blocks.dropped.Load() + s.blocks.failed.Load()) }),
	)
}
