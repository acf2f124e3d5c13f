package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/gzipjoin"
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
//
// An answer gzip-compressed is streamed too, in the parts a finished
// layout is compressed in (calendar.PartCutter, gzipjoin.Writer): each
// is sent (and flushed) once its last event is laid out, from the cache
// or compressed then by the stream's writer, and cached; answers needing
// one part at once share its compression (compressedPart), so that a poll
// storm compresses each part once, and an answer compresses at most one
// part that is not shared (writeRest). This work runs beside the layout,
// which holds the render slot, not inside the gate. A gzip answer has no
// Content-Length (its compressed size is not known beforehand); a failed
// one is aborted, without the chunked encoding's last chunk and the gzip
// trailer, which the client sees as a cut.

// maxStreamQueueBytes bounds the blocks one streamed answer holds while
// the client is slower than the layout, and maxStreamedBytes those of all
// streamed answers together (a stream outlives its render slot while its
// client reads). Past either the layout stops handing blocks over and
// never waits for the client (it holds a render slot); the answer's rest
// is written from the finished layout instead.
const (
	maxStreamQueueBytes = 8 << 20
	maxStreamedBytes    = 32 << 20
)

// feedStream is one request's streamed answer. begin and add are called
// by the goroutine laying the feed out (the request's own, another
// request's or the warm-up's, under the streamFanout's lock) while the
// request's goroutine waits for that layout; end by the request's
// goroutine once the layout is done. A goroutine of its own writes to the
// client, so that a slow client never holds up the layout, and the
// request's goroutine waits for it before the handler returns on every
// way out, a panic included (end), so that it never writes to a response
// the router has handed to another request.
type feedStream struct {
	s    *Server
	c    echo.Context
	etag string
	gz   bool // the answer is gzip-compressed
	// gzKey is where the gzip answer is cached once whole.
	gzKey cacheKey

	head    storage.FeedHead  // what begin sent the headers for
	cal     calendar.Calendar // the stamps the events are written with
	started bool              // the 200 and its headers are out
	ended   bool              // end ran

	mu     sync.Mutex
	queue  []queuedChunk
	queued int64         // bytes queued or being written, of this stream
	limit  int64         // queued at most (Server.streamQueue)
	held   *atomic.Int64 // queued bytes of every stream of the server
	budget int64         // held at most (maxStreamedBytes)
	// overflow: a bound was reached; the rest comes from the layout.
	overflow bool
	closed   bool // the layout ended
	// abandon: the answer is being aborted; the writer drops what is left.
	abandon atomic.Bool
	// gone: a write to the client failed; nothing more is queued.
	gone atomic.Bool
	wake chan struct{}
	done chan struct{} // the writer ended
	// sent and failed are the writer's, read once done is closed: sent
	// counts the calendar's bytes, before any compression.
	sent   int64
	failed error
	// The writer's, for a gzip answer: the parts' writer, the parts
	// written, the cutter of the events into parts, and a compressor
	// (taken when first needed).
	jw     *gzipjoin.Writer
	zparts []gzipjoin.Part
	cutter *calendar.PartCutter
	zc     *gzipjoin.Compressor
}

// queuedChunk is a chunk of blocks waiting for the writer, with its size.
type queuedChunk struct {
	blocks []*calendar.EventBlock
	size   int64
}

// newFeedStream returns a stream for a request that may be streamed: a
// GET, plain or gzip. Otherwise nil, which the layout ignores.
func (s *Server) newFeedStream(c echo.Context, version string) *feedStream {
	req := c.Request()
	if req.Method != http.MethodGet {
		return nil
	}
	return &feedStream{s: s, c: c, etag: `"` + version + `"`, gzKey: feedGzipKey(version), gz: acceptsGzip(req.Header.Get("Accept-Encoding")),
		limit: s.streamQueue, held: &s.streamHeld, budget: s.streamBudget, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// begin answers from a stored head: the 200's headers (only the ETag
// decides a feed's 304, and serveFeed answered that before the layout),
// then the head, and it starts the writer, which writes the events with
// cal's stamps. It writes into buffers only, never waiting for the
// client: it runs on the layout's goroutine, under the fanout's lock.
func (st *feedStream) begin(s *Server, h storage.FeedHead, cal calendar.Calendar) {
	if st == nil {
		return
	}
	s.calendarHeaders(st.c, calendarMeta{etag: st.etag, modified: time.Unix(h.StampS, 0).UTC()})
	st.head, st.cal, st.started = h, cal, true
	s.feedCache.streamed.Add(1)
	if st.gz {
		st.c.Response().Header().Set("Content-Encoding", "gzip")
		st.cutter = calendar.NewPartCutter(cal)
	} else {
		st.c.Response().Header().Set("Content-Length", strconv.FormatInt(h.Size, 10))
	}
	st.c.Response().WriteHeader(http.StatusOK)
	go st.write()
}

// add hands a chunk's blocks, in UID order, to the writer, unless a bound
// was reached or the client is gone.
func (st *feedStream) add(blocks []*calendar.EventBlock) {
	if st == nil || !st.started {
		return
	}
	var size int64
	for _, b := range blocks {
		size += int64(b.Size())
	}
	st.mu.Lock()
	if !st.overflow && st.gone.Load() {
		st.overflow = true
	}
	if !st.overflow {
		if st.queued+size > st.limit {
			st.overflow = true
		} else if st.held.Add(size) > st.budget {
			st.held.Add(-size)
			st.overflow = true
		} else {
			st.queue = append(st.queue, queuedChunk{blocks, size})
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

// write sends the head and the queued chunks until the layout ends; a
// chunk's bytes count against the bounds until it is written (or
// dropped, when the answer is abandoned or the client is gone).
func (st *feedStream) write() {
	defer close(st.done)
	defer func() { st.s.releaseCompressor(st.zc) }()
	// A panic here (compressing a part, say) must not end the process:
	// the answer fails, and finish aborts it.
	defer func() {
		if r := recover(); r != nil {
			st.failed = fmt.Errorf("feed stream writer: panic: %v", r)
			st.gone.Store(true)
			st.drop()
		}
	}()
	w := st.c.Response()
	if st.gz {
		st.jw = gzipjoin.NewWriter(w)
		st.failed = st.writePart(calendar.HeadPart(st.head.Head))
	} else {
		n, err := w.Write(st.head.Head)
		st.sent, st.failed = int64(n), err
	}
	if st.failed != nil {
		st.gone.Store(true) // nothing more is queued
	}
	for {
		st.mu.Lock()
		for len(st.queue) == 0 && !st.closed {
			st.mu.Unlock()
			<-st.wake
			st.mu.Lock()
		}
		if len(st.queue) == 0 {
			st.mu.Unlock()
			return
		}
		chunk := st.queue[0]
		st.queue = st.queue[1:]
		st.mu.Unlock()
		st.writeChunk(chunk)
	}
}

// writeChunk writes a chunk taken off the queue, unless the answer failed
// or is abandoned, and gives its bytes back to the bounds, a panic
// included.
func (st *feedStream) writeChunk(chunk queuedChunk) {
	defer st.release(chunk.size)
	if st.failed == nil && !st.abandon.Load() {
		st.failed = st.writeBlocks(chunk.blocks)
		if st.failed != nil {
			st.gone.Store(true) // the client left: the layout goes on, for the cache
		}
	}
}

// release gives back size bytes of this stream's to the bounds.
func (st *feedStream) release(size int64) {
	st.mu.Lock()
	st.queued -= size
	st.mu.Unlock()
	st.held.Add(-size)
}

// drop gives back the bytes of the chunks still queued, once the writer
// stops early (a panic), so that nothing stays counted against the bounds.
func (st *feedStream) drop() {
	st.mu.Lock()
	queue := st.queue
	st.queue = nil
	st.mu.Unlock()
	for _, chunk := range queue {
		st.release(chunk.size)
	}
}

// writeBlocks writes events to the client: as they are, or, for a gzip
// answer, the parts they end (the events after the last part's end wait
// for the next blocks, or for finish).
func (st *feedStream) writeBlocks(blocks []*calendar.EventBlock) error {
	if !st.gz {
		n, err := calendar.StreamBlocks(st.c.Response(), st.cal, blocks)
		st.sent += n
		return err
	}
	for _, b := range blocks {
		if p, ok := st.cutter.Add(b); ok {
			if err := st.writePart(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// writePart sends a part of a gzip answer, compressed (compressedPart).
func (st *feedStream) writePart(p calendar.Part) error {
	zp, err := st.s.compressedPart(p, &st.zc)
	if err != nil {
		return err
	}
	if err := st.jw.WritePart(zp); err != nil {
		return err
	}
	st.zparts = append(st.zparts, zp)
	st.sent += p.Size()
	// Out at once: a part is the unit the client can inflate, and the
	// head's few hundred bytes would otherwise wait in the connection's
	// buffer for the first chunk of events.
	if err := http.NewResponseController(st.c.Response().Writer).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// end stops the writer and waits for it: after it has written what is
// queued when drain is set, at once otherwise — the answer is then being
// aborted, and what was written goes out first, so that the client always
// sees the 200 and a body short of its Content-Length, whatever the
// connection's buffer held. It does nothing for a stream that never
// started or has ended.
func (st *feedStream) end(drain bool) {
	if st == nil || !st.started || st.ended {
		return
	}
	st.ended = true
	if !drain {
		st.abandon.Store(true)
	}
	st.mu.Lock()
	st.closed = true
	st.mu.Unlock()
	st.signal()
	<-st.done
	if !drain {
		_ = http.NewResponseController(st.c.Response().Writer).Flush()
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
	if err == nil && (layout.Size() != st.head.Size || stamp.Unix() != st.head.StampS || !bytes.Equal(layout.Head(), st.head.Head)) {
		err = errStreamMismatch
	}
	log := logger(st.c)
	if err != nil {
		st.end(false)
		level := slog.LevelError
		if errors.Is(err, storage.ErrFeedChanged) {
			level = slog.LevelWarn // a write raced the answer: the client retries
		}
		log.Log(st.c.Request().Context(), level, "streamed feed aborted", "sent_bytes", st.sent, "error", err)
		panic(http.ErrAbortHandler)
	}
	st.end(true)
	if st.failed == nil {
		st.failed = st.writeRest(layout)
	}
	if st.failed != nil {
		log.Warn("feed write stopped", "sent_bytes", st.sent, "error", st.failed)
		if st.gz {
			// Without a Content-Length, only an aborted connection tells
			// the client the body is short (a plain answer's length
			// does).
			panic(http.ErrAbortHandler)
		}
	}
	return nil
}

// writeRest writes what the writer did not, from the finished layout:
// for a gzip answer, the layout's parts after those sent, then the gzip
// trailer. The parts sent end where one of the layout's does, unless the
// layout packed its later events into runs, which are cut otherwise: the
// rest of the layout's part the last one sent ends in is then compressed
// alone, not cached, and the layout's parts after it are sent as they
// are, so that an answer compresses at most one part of its own.
func (st *feedStream) writeRest(layout *calendar.Assembly) error {
	if !st.gz {
		n, err := layout.WriteFrom(st.c.Response(), st.sent)
		st.sent += n
		return err
	}
	defer func() { st.s.releaseCompressor(st.zc) }()
	st.zc = nil
	parts := layout.Parts()
	i, at := 0, int64(0) // parts[i] starts at byte at
	for i < len(parts) && at+parts[i].Size() <= st.sent {
		at += parts[i].Size()
		i++
	}
	joined := true
	if at < st.sent && i < len(parts) {
		// The rest of parts[i], compressed alone.
		if st.zc == nil {
			zc, err := st.s.compressor()
			if err != nil {
				return err
			}
			st.zc = zc
		}
		p, skip := parts[i], st.sent-at
		rest, err := st.zc.Compress(func(w io.Writer) error { _, err := p.WriteFrom(w, skip); return err })
		if err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		if err := st.jw.WritePart(rest); err != nil {
			return err
		}
		st.sent += rest.Size
		i, joined = i+1, false
	}
	for _, p := range parts[i:] {
		if err := st.writePart(p); err != nil {
			return err
		}
	}
	if joined {
		// Every part sent is cached: the answer is cached whole for the
		// next gzip answer of this version (the layout's own parts, or,
		// where the events sent were packed in the layout, the stream's
		// cut of them, which reads the same).
		body := gzipjoin.Append(make([]byte, 0, gzipjoin.Size(st.zparts)), st.zparts)
		st.s.feedCache.put(st.gzKey, cacheValue{gz: body}, int64(len(body)))
	}
	st.zparts = nil
	return st.jw.Close()
}

// headTag is what a head is stored under: the blocks' tag and the
// settings a head holds beyond them (the refresh interval the calendar
// asks clients to poll at), so that a process started with another
// setting, or another process sharing the database with one, never
// streams a head that its own layout would not end.
func (s *Server) headTag(r *feedRenderer) string {
	return r.storedTag + ".r" + strconv.FormatInt(int64(s.cfg.FeedRefresh/time.Second), 10)
}

// storedHead returns the feed's stored head for this version and tag; a
// read failure is logged and counts as none.
func (s *Server) storedHead(r *feedRenderer, version string) (storage.FeedHead, bool) {
	h, ok, err := s.store.StoredFeedHead(r.ctx, r.feed.ID, version, s.headTag(r))
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
	s.blocks.addHead(storage.FeedHead{FeedID: r.feed.ID, Version: version, Tag: s.headTag(r), StampS: stamp.Unix(), Size: layout.Size(), Head: bytes.Clone(layout.Head())})
}
