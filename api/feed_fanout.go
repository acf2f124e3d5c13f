package api

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/storage"
)

// streamFanout hands one layout's chunks to every answer streamed from it:
// the request that runs the layout and those that arrive while it runs
// for the same version, the start-up warm-up's included, which would
// otherwise wait for the whole layout (a poll storm after a restart comes
// while the warm-up lays the same feeds out). A stream that joins once
// chunks were handed out begins with the chunks kept so far; chunks are
// kept while they add up to no more than the blocks the layout itself
// holds as they are (feedHoldShare), so keeping them costs nothing the
// layout does not hold anyway, and past that no stream joins any more:
// those requests wait for the layout, as before.
type streamFanout struct {
	mu        sync.Mutex
	refs      int         // feedLayout calls holding it (fanoutFor), under Server.fanoutMu
	closed    atomic.Bool // the layout ended: nothing joins any more
	head      storage.FeedHead
	headSet   bool // the stored head is known (found)
	cal       calendar.Calendar
	started   bool // streams were begun: those joining begin at once
	streams   []*feedStream
	kept      [][]*calendar.EventBlock // the chunks handed out so far
	keptSize  int64
	keepMax   int64 // bytes of chunks kept at most; past it, truncated
	truncated bool
}

// fanoutFor returns the open fanout of a version's layout, or a new one
// registered for it. The caller must release it.
func (s *Server) fanoutFor(version string) *streamFanout {
	s.fanoutMu.Lock()
	defer s.fanoutMu.Unlock()
	fo := s.fanouts[version]
	if fo == nil || fo.closed.Load() {
		fo = &streamFanout{keepMax: s.cfg.FeedCacheBytes / feedHoldShare}
		s.fanouts[version] = fo
	}
	fo.refs++
	return fo
}

// releaseFanout gives back what fanoutFor returned; the last holder
// unregisters it.
func (s *Server) releaseFanout(version string, fo *streamFanout) {
	s.fanoutMu.Lock()
	defer s.fanoutMu.Unlock()
	fo.refs--
	if fo.refs == 0 && s.fanouts[version] == fo {
		delete(s.fanouts, version)
	}
}

// join adds a request's stream (nil: none): begun at once, with the
// chunks kept so far, when streams were begun already; otherwise when
// the layout starts them. A closed or truncated fanout leaves it alone.
func (fo *streamFanout) join(s *Server, st *feedStream) {
	if st == nil {
		return
	}
	fo.mu.Lock()
	defer fo.mu.Unlock()
	if fo.closed.Load() || fo.truncated {
		return
	}
	if fo.started {
		fo.beginOne(s, st)
	}
	fo.streams = append(fo.streams, st)
}

// leave takes a request's stream out once its feedLayout call has its
// layout: whichever layout the request shared, no other may begin the
// stream or hand it chunks afterwards (the request finishes it from its
// own layout, or answers without it), so that nothing writes to a
// response after its handler returned.
func (fo *streamFanout) leave(st *feedStream) {
	if st == nil {
		return
	}
	fo.mu.Lock()
	defer fo.mu.Unlock()
	fo.streams = slices.DeleteFunc(fo.streams, func(x *feedStream) bool { return x == st })
}

// setHead records the head stored for the version, from which streams
// are begun.
func (fo *streamFanout) setHead(h storage.FeedHead, cal calendar.Calendar) {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	fo.head, fo.cal, fo.headSet = h, cal, true
}

// wantsStart reports streams waiting to be begun from the stored head.
func (fo *streamFanout) wantsStart() bool {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	return fo.headSet && !fo.started && !fo.truncated && len(fo.streams) > 0
}

// start begins every stream joined so far; those joining later begin at
// once.
func (fo *streamFanout) start(s *Server) {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	fo.started = true
	for _, st := range fo.streams {
		fo.beginOne(s, st)
	}
}

// beginOne begins st from the head and hands it the chunks kept.
func (fo *streamFanout) beginOne(s *Server, st *feedStream) {
	st.begin(s, fo.head, fo.cal)
	for _, chunk := range fo.kept {
		st.add(chunk)
	}
}

// add hands a chunk of blocks, in UID order, to the streams begun, and
// keeps it for those that join later.
func (fo *streamFanout) add(blocks []*calendar.EventBlock) {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	if fo.closed.Load() {
		return
	}
	if fo.started {
		for _, st := range fo.streams {
			st.add(blocks)
		}
	}
	if fo.truncated || !fo.headSet {
		return // no stream can begin from this layout
	}
	for _, b := range blocks {
		fo.keptSize += int64(b.Size())
	}
	if fo.keptSize > fo.keepMax {
		fo.kept, fo.truncated = nil, true
		return
	}
	fo.kept = append(fo.kept, blocks)
}

// close ends the fanout with its layout: nothing joins any more, and the
// chunks kept are let go.
func (fo *streamFanout) close() {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	fo.closed.Store(true)
	fo.kept, fo.streams = nil, nil
}
