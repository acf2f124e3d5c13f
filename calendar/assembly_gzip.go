package calendar

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"time"
)

// A Part is a piece of an assembled calendar that is compressed alone
// when the calendar is served gzip-compressed (package gzipjoin): the
// head, a chunk of consecutive events, a packed run, or the end. Key is a
// digest of everything the part's bytes depend on, so that a part
// compressed for one version of a feed serves every later version in
// which it is the same: after one event changes, only its chunk is
// compressed again. Parts, written one after the other, are exactly what
// WriteTo writes.
type Part struct {
	Key    [sha256.Size]byte
	kind   partKind
	st     *stamper
	head   []byte        // partHead
	blocks []*EventBlock // partChunk
	run    *packedRun    // partRun
	size   int64         // the bytes WriteTo writes
}

type partKind uint8

const (
	partHead partKind = iota + 1
	partChunk
	partRun
	partEnd
)

// A chunk of events ends after an event whose UID hashes to a multiple
// of partEvents, so that the chunks' edges depend only on the events
// around them: an event added or removed moves no edge but its own
// chunk's. partMaxBytes bounds a chunk whose UIDs happen never to end it.
// Chunks of about 256 events (some 250 KB of a feed, a millisecond or two
// to compress again) lose little to being compressed alone; see
// docs/PERFORMANCE.md for the sizes measured.
const (
	partEvents   = 256
	partMaxBytes = 1 << 20
)

// endsChunk reports whether a chunk of events ends after b: its UID's
// FNV-1a hash is a multiple of partEvents.
func endsChunk(b *EventBlock) bool {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(b.uid); i++ {
		h = (h ^ uint32(b.uid[i])) * prime
	}
	return h%partEvents == 0
}

// partKey starts a part's key with a label for its kind, so that no two
// kinds of part share one.
func partKey(h hash.Hash, kind string) {
	h.Reset()
	h.Write([]byte(kind + "\x00"))
}

// HeadPart is the part of a calendar whose head (Assembly.Head) is head.
func HeadPart(head []byte) Part {
	p := Part{kind: partHead, head: head, size: int64(len(head))}
	h := sha256.New()
	partKey(h, "head")
	h.Write(head)
	h.Sum(p.Key[:0])
	return p
}

// EndPart is the part that ends every calendar.
func EndPart() Part {
	return Part{Key: sha256.Sum256([]byte("end\x00" + calendarEnd)), kind: partEnd, size: int64(len(calendarEnd))}
}

// A PartCutter cuts events, handed to it in a calendar's order, into the
// chunk parts Parts cuts an Assembly's events into, with the same keys: a
// calendar sent gzip-compressed while it is being laid out is compressed
// in the parts its finished layout would be, and shares their cache. A
// PartCutter is not safe for concurrent use.
type PartCutter struct {
	st      *stamper
	h       hash.Hash
	pending []*EventBlock
	size    int64
}

// NewPartCutter returns a cutter for events written with cal's stamps
// (only Stamp and EventStamps matter, as in StreamBlocks).
func NewPartCutter(cal Calendar) *PartCutter {
	st := newStamper(cal)
	return newPartCutter(&st)
}

func newPartCutter(st *stamper) *PartCutter {
	pc := &PartCutter{st: st, h: sha256.New()}
	partKey(pc.h, "events")
	return pc
}

// Add adds the next event and returns the chunk it ends, if it ends one.
func (pc *PartCutter) Add(b *EventBlock) (Part, bool) {
	pc.h.Write(b.contentDigest()[:])
	pc.h.Write(pc.st.ofBlock(b))
	pc.pending = append(pc.pending, b)
	pc.size += b.written()
	if endsChunk(b) || pc.size >= partMaxBytes {
		return pc.Flush()
	}
	return Part{}, false
}

// Flush returns the chunk of the events added since the last chunk, if
// there are any: the calendar's last chunk of events.
func (pc *PartCutter) Flush() (Part, bool) {
	if len(pc.pending) == 0 {
		return Part{}, false
	}
	p := Part{kind: partChunk, st: pc.st, blocks: pc.pending, size: pc.size}
	pc.h.Sum(p.Key[:0])
	pc.pending, pc.size = nil, 0
	partKey(pc.h, "events")
	return p, true
}

// Parts cuts the calendar into the parts it is compressed in.
func (a *Assembly) Parts() []Part {
	parts := make([]Part, 0, 2+len(a.blocks)/partEvents*2+len(a.runs))
	parts = append(parts, HeadPart(a.head))
	pc := newPartCutter(&a.st)
	for _, b := range a.blocks {
		if p, ok := pc.Add(b); ok {
			parts = append(parts, p)
		}
	}
	if p, ok := pc.Flush(); ok {
		parts = append(parts, p)
	}
	h := sha256.New()
	scratch := make([]byte, 0, stampLen)
	for i := range a.runs {
		r := &a.runs[i]
		p := Part{kind: partRun, st: &a.st, run: r, size: r.written()}
		partKey(h, "run")
		h.Write(r.digest[:])
		for _, m := range r.modified {
			h.Write(a.st.of(time.Unix(m, 0), scratch))
		}
		h.Sum(p.Key[:0])
		parts = append(parts, p)
	}
	return append(parts, EndPart())
}

// Size is the number of bytes the part writes.
func (p Part) Size() int64 { return p.size }

// WriteTo writes the part's bytes.
func (p Part) WriteTo(w io.Writer) (int64, error) { return p.WriteFrom(w, 0) }

// WriteFrom writes the part's bytes from offset on: the rest of a part
// whose start was sent as part of another cut of the same calendar.
func (p Part) WriteFrom(w io.Writer, offset int64) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(&skippingWriter{w: cw, skip: offset}, 64<<10)
	switch p.kind {
	case partHead:
		bw.Write(p.head)
	case partChunk:
		for _, b := range p.blocks {
			writeStamped(bw, b.body, b.stamps, p.st.ofBlock(b))
		}
	case partRun:
		zr := flate.NewReader(bytes.NewReader(p.run.data))
		defer zr.Close()
		if err := writeRun(bw, zr, *p.run, p.st, make([]byte, 0, stampLen)); err != nil {
			return cw.n, err
		}
	case partEnd:
		bw.WriteString(calendarEnd)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("calendar: writing part of a calendar: %w", err)
	}
	return cw.n, nil
}
