package calendar

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"fmt"
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
	Key  [sha256.Size]byte
	a    *Assembly
	kind partKind
	from int // the first block of a chunk, or the run
	to   int // after a chunk's last block
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

// Parts cuts the calendar into the parts it is compressed in.
func (a *Assembly) Parts() []Part {
	parts := make([]Part, 0, 2+len(a.blocks)/partEvents*2+len(a.runs))
	h := sha256.New()
	// keyed starts a part's key: a label for its kind, so that no two
	// kinds of part share one.
	keyed := func(kind string) { h.Reset(); h.Write([]byte(kind + "\x00")) }
	head := Part{a: a, kind: partHead}
	keyed("head")
	h.Write(a.head)
	h.Sum(head.Key[:0])
	parts = append(parts, head)

	from, size := 0, int64(0)
	keyed("events")
	for i, b := range a.blocks {
		h.Write(b.contentDigest()[:])
		h.Write(a.st.ofBlock(b))
		size += b.written()
		if endsChunk(b) || size >= partMaxBytes || i == len(a.blocks)-1 {
			p := Part{a: a, kind: partChunk, from: from, to: i + 1}
			h.Sum(p.Key[:0])
			parts = append(parts, p)
			from, size = i+1, 0
			keyed("events")
		}
	}
	scratch := make([]byte, 0, stampLen)
	for i, r := range a.runs {
		p := Part{a: a, kind: partRun, from: i}
		keyed("run")
		h.Write(r.digest[:])
		for _, m := range r.modified {
			h.Write(a.st.of(time.Unix(m, 0), scratch))
		}
		h.Sum(p.Key[:0])
		parts = append(parts, p)
	}
	end := Part{a: a, kind: partEnd}
	end.Key = sha256.Sum256([]byte("end\x00" + calendarEnd))
	return append(parts, end)
}

// WriteTo writes the part's bytes.
func (p Part) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	switch p.kind {
	case partHead:
		bw.Write(p.a.head)
	case partChunk:
		for _, b := range p.a.blocks[p.from:p.to] {
			writeStamped(bw, b.body, b.stamps, p.a.st.ofBlock(b))
		}
	case partRun:
		r := p.a.runs[p.from]
		zr := flate.NewReader(bytes.NewReader(r.data))
		defer zr.Close()
		if err := p.a.writeRun(bw, zr, r, make([]byte, 0, stampLen)); err != nil {
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
