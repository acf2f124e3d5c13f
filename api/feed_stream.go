package api

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// A cold feed is sent while it is laid out when the head of an earlier
// layout of the same version is stored (feed_heads): its Last-Modified,
// Content-Length and first bytes are then known before any event is read,
// so the answer starts once the listing is done and the first chunk's
// blocks are read, instead of after all of them. The layout itself is
// unchanged and cached as before; the bytes sent are checked against it
// at the end, and END:VCALENDAR (with whatever was not streamed) is
// written from it only when they match. A failure once the headers are
// out cannot become a 503: the connection is aborted, so the client sees
// a body shorter than its Content-Length, keeps its copy and retries.

// maxStreamQueueBytes bounds the blocks a streamed answer holds while the
// client is slower than the layout. Past it the layout stops handing
// blocks over and never waits for the client (it holds a render slot);
// the answer's rest is written from the finished layout instead.
const maxStreamQueueBytes = 8 << 20

// feedStream is one request's streamed answer. begin and add are called
// by the layout, in the request's goroutine; a goroutine of its own writes
// to the client, so that a slow client never holds up the layout.
type feedStream struct {
	c    echo.Context
	etag string

	head     storage.FeedHead // what begin sent the headers for
	started  bool             // the 200 and its headers are out
	answered bool             // a 304 was sent instead

	mu       sync.Mutex
	queue    [][]*calendar.EventBlock
	queued   int64
	limit    int64 // bytes queued at most (Server.streamQueue)
	overflow bool  // the queue was full: the rest comes from the layout
	closed   bool  // the layout ended
	wake     chan struct{}
	done     chan struct{} // the writer ended
	// sent and failed are the writer's, read once done is closed.
	sent   int64
	failed error
}

// newFeedStream returns a stream for a request that may be streamed: a
// GET without gzip (a gzip body is compressed whole, once per version,
// and cached). Otherwise nil, which the layout ignores.
func newFeedStream(c echo.Context, etag string, limit int64) *feedStream {
	req := c.Request()
	if req.Method != http.MethodGet || acceptsGzip(req.Header.Get("Accept-Encoding")) {
		return nil
	}
	return &feedStream{c: c, etag: etag, limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// begin answers from a stored head: a 304 if the client's copy is
// current, otherwise the 200's headers and the head, and it starts the
// writer.
func (st *feedStream) begin(s *Server, h storage.FeedHead) {
	if st == nil {
		return
	}
	meta := calendarMeta{etag: st.etag, modified: time.Unix(h.StampS, 0).UTC()}
	if s.notModified(st.c, meta) {
		st.answered = true
		return
	}
	st.head, st.started = h, true
	s.feedCache.streamed.Add(1)
	st.c.Response().Header().Set("Content-Length", strconv.FormatInt(h.Size, 10))
	st.c.Response().WriteHeader(http.StatusOK)
	go st.write()
}

// add hands a chunk's blocks, in UID order, to the writer.
func (st *feedStream) add(blocks []*calendar.EventBlock) {
	if st == nil || !st.started {
		return
	}
	var size int64
	for _, b := range blocks {
		size += int64(b.Size())
	}
	st.mu.Lock()
	if !st.overflow {
		if st.queued+size > st.limit {
			st.overflow = true
		} else {
			st.queue = append(st.queue, blocks)
			st.queued += size
		}
	}
	st.mu.Unlock()
	st.signal()
}

func (st *feedStream) signal() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// write sends the head and the queued blocks until the layout ends.
func (st *feedStream) write() {
	defer close(st.done)
	w := st.c.Response()
	n, err := w.Write(st.head.Head)
	st.sent, st.failed = int64(n), err
	stamp := time.Unix(st.head.StampS, 0)
	for {
		st.mu.Lock()
		for len(st.queue) == 0 && !st.closed {
			st.mu.Unlock()
			<-st.wake
			st.mu.Lock()
		}
		chunks, last := st.queue, st.closed && len(st.queue) == 0
		st.queue, st.queued = nil, 0
		st.mu.Unlock()
		if last {
			return
		}
		for _, blocks := range chunks {
			if st.failed != nil {
				break // the client left: the layout goes on, for the cache
			}
			n, err := calendar.StreamBlocks(w, stamp, blocks)
			st.sent += n
			st.failed = err
		}
	}
}

// errStreamMismatch: a finished layout differs from the stored head the
// answer was started from (time zone data changed under the same build).
var errStreamMismatch = errors.New("the feed's layout differs from the stored head it was streamed from")

// finish ends a started answer once the layout is done: it writes the
// rest from the layout when everything matches, and otherwise logs and
// aborts the connection (http.ErrAbortHandler), since the status and
// headers are out.
func (st *feedStream) finish(layout *calendar.Assembly, stamp time.Time, err error) error {
	st.mu.Lock()
	st.closed = true
	st.mu.Unlock()
	st.signal()
	<-st.done
	log := logger(st.c)
	if err == nil && (layout.Size() != st.head.Size || stamp.Unix() != st.head.StampS || !bytes.Equal(layout.Head(), st.head.Head)) {
		err = errStreamMismatch
	}
	if err != nil {
		log.Error("streamed feed aborted", "sent_bytes", st.sent, "error", err)
		panic(http.ErrAbortHandler)
	}
	if st.failed == nil {
		var n int64
		n, st.failed = layout.WriteFrom(st.c.Response(), st.sent)
		st.sent += n
	}
	if st.failed != nil {
		log.Warn("feed write stopped", "sent_bytes", st.sent, "error", st.failed)
	}
	return nil
}

// storedHead returns the feed's stored head for this version and tag; a
// read failure is logged and counts as none.
func (s *Server) storedHead(r *feedRenderer, version string) (storage.FeedHead, bool) {
	h, ok, err := s.store.StoredFeedHead(r.ctx, r.feed.ID, version, r.storedTag)
	if err != nil {
		s.log.Warn("could not read a stored feed head; laying the feed out first", "feed", r.feed.ID, "error", err)
		return storage.FeedHead{}, false
	}
	return h, ok
}

// keepHead queues the layout's head for storing unless the one stored is
// the same.
func (s *Server) keepHead(r *feedRenderer, version string, stored storage.FeedHead, found bool, layout *calendar.Assembly, stamp time.Time) {
	if found && stored.Size == layout.Size() && stored.StampS == stamp.Unix() && bytes.Equal(stored.Head, layout.Head()) {
		return
	}
	s.blocks.addHead(storage.FeedHead{FeedID: r.feed.ID, Version: version, Tag: r.storedTag, StampS: stamp.Unix(), Size: layout.Size(), Head: bytes.Clone(layout.Head())})
}
