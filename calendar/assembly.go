package calendar

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Assembly is a calendar made of pre-rendered blocks, ready to be written:
// its size is known before the first byte goes out (for Content-Length) and
// WriteTo streams it without building the whole body in memory. Its first
// blocks are held as they are; the rest, when an AssemblyBuilder was told
// to hold less than the whole, are kept compressed in runs, so that a feed
// larger than any cache is laid out (and may be cached) in a tenth of its
// size. An Assembly is immutable and may be written by several goroutines
// at once.
type Assembly struct {
	head   []byte // calendar properties and VTIMEZONEs
	blocks []*EventBlock
	runs   []packedRun // after blocks, in UID order
	st     stamper
}

// packedRun is consecutive blocks' bodies, DTSTAMP values cut out as in
// an EventBlock, compressed as one stream.
type packedRun struct {
	data   []byte // the bodies, deflated
	raw    int64  // length of the bodies inflated
	stamps []int  // offsets in the inflated bodies where a DTSTAMP value goes, ascending
	// modified is, for each offset in stamps, the LastModified (Unix
	// seconds) of the event it is in, from which its DTSTAMP may derive.
	modified []int64
	digest   [sha256.Size]byte // of data, naming the run's bodies in a gzip part's key
}

// written is how many bytes the run's events occupy in a calendar.
func (r *packedRun) written() int64 { return r.raw + int64(stampLen*len(r.stamps)) }

// packRunBytes is how many bytes of bodies a packed run holds before the
// next starts: large enough to compress well, small enough that writing
// one costs little transient memory.
const packRunBytes = 1 << 20

// calendarEnd closes every calendar.
const calendarEnd = "END:VCALENDAR\r\n"

// Assemble orders blocks by UID and prepares the calendar around them: the
// same bytes Render writes for the same events and cal. Two blocks with one
// UID are an error, as in Render. blocks is not modified, and every block
// is held as it is.
func Assemble(cal Calendar, blocks []*EventBlock) (*Assembly, error) {
	sorted := slices.Clone(blocks)
	slices.SortFunc(sorted, func(a, b *EventBlock) int { return strings.Compare(a.uid, b.uid) })
	ab := NewAssemblyBuilder(-1)
	if err := ab.Add(sorted...); err != nil {
		return nil, err
	}
	return ab.Assemble(cal)
}

// AssemblyBuilder makes an Assembly from blocks given in UID order, a few
// at a time, so that a caller can read and render a large feed chunk by
// chunk and drop each chunk's events and blocks once added: blocks are
// held as they are until they add up to the builder's hold bytes, and
// compressed after that. The VTIMEZONEs are worked out as blocks come.
type AssemblyBuilder struct {
	hold    int64 // bytes of blocks still to hold as they are; negative: no bound
	blocks  []*EventBlock
	runs    []packedRun
	zones   map[string]*zone
	lastUID string
	any     bool
	// The run being packed: its compressed bytes, writer and offsets.
	packed   bytes.Buffer
	zw       *flate.Writer
	raw      int64
	stamps   []int
	modified []int64
}

// NewAssemblyBuilder returns a builder that holds blocks as they are up to
// hold bytes (EventBlock.Size) and compresses every later one; a negative
// hold holds them all.
func NewAssemblyBuilder(hold int64) *AssemblyBuilder {
	return &AssemblyBuilder{hold: hold, zones: map[string]*zone{}}
}

// Add appends blocks, which must come in strictly increasing UID order
// across calls: an equal UID is the duplicate error Render gives, a
// smaller one a caller's mistake.
func (ab *AssemblyBuilder) Add(blocks ...*EventBlock) error {
	for _, b := range blocks {
		if ab.any && b.uid <= ab.lastUID {
			if b.uid == ab.lastUID {
				return fmt.Errorf("calendar: two events share the UID %q", b.uid)
			}
			return fmt.Errorf("calendar: event %q added after %q, out of UID order", b.uid, ab.lastUID)
		}
		ab.any, ab.lastUID = true, b.uid
		ab.addZone(b)
		if size := int64(b.Size()); ab.hold < 0 || (ab.hold >= size && ab.zw == nil) {
			ab.blocks = append(ab.blocks, b)
			if ab.hold >= 0 {
				ab.hold -= size
			}
			continue
		}
		if err := ab.pack(b); err != nil {
			return err
		}
	}
	return nil
}

// addZone widens the span of the block's VTIMEZONE to cover it.
func (ab *AssemblyBuilder) addZone(b *EventBlock) {
	if b.zone == nil {
		return
	}
	z, ok := ab.zones[b.zone.name]
	if !ok {
		z = &zone{name: b.zone.name, loc: b.zone.loc}
		ab.zones[b.zone.name] = z
	}
	z.span.merge(b.span)
}

// pack compresses a block's body into the current run, starting one if
// needed and closing it once it holds packRunBytes.
func (ab *AssemblyBuilder) pack(b *EventBlock) error {
	if ab.zw == nil {
		zw, err := flate.NewWriter(&ab.packed, flate.BestSpeed)
		if err != nil {
			return fmt.Errorf("calendar: compressor: %w", err)
		}
		ab.zw = zw
	}
	for _, off := range b.stamps {
		ab.stamps = append(ab.stamps, int(ab.raw)+off)
		ab.modified = append(ab.modified, b.modified.Unix())
	}
	if _, err := ab.zw.Write(b.body); err != nil {
		return fmt.Errorf("calendar: compress event %q: %w", b.uid, err)
	}
	ab.raw += int64(len(b.body))
	if ab.raw >= packRunBytes {
		return ab.closeRun()
	}
	return nil
}

// closeRun finishes the run being packed, if any, and keeps an exact-size
// copy of its bytes; the compressor is reset for the next run.
func (ab *AssemblyBuilder) closeRun() error {
	if ab.raw == 0 {
		return nil
	}
	if err := ab.zw.Close(); err != nil {
		return fmt.Errorf("calendar: compress events: %w", err)
	}
	data := bytes.Clone(ab.packed.Bytes())
	ab.runs = append(ab.runs, packedRun{data: data, raw: ab.raw, stamps: slices.Clip(ab.stamps), modified: slices.Clip(ab.modified), digest: sha256.Sum256(data)})
	ab.packed.Reset()
	ab.zw.Reset(&ab.packed)
	ab.raw, ab.stamps, ab.modified = 0, nil, nil
	return nil
}

// Assemble finishes the calendar: the head with cal's properties and the
// VTIMEZONEs the blocks need, and cal.Stamp as every DTSTAMP (or, with
// cal.EventStamps, as the earliest). The builder
// must not be used afterwards.
func (ab *AssemblyBuilder) Assemble(cal Calendar) (*Assembly, error) {
	cal, err := cal.normalized()
	if err != nil {
		return nil, err
	}
	if err := ab.closeRun(); err != nil {
		return nil, err
	}
	tzids := make([]string, 0, len(ab.zones))
	for name := range ab.zones {
		tzids = append(tzids, name)
	}
	slices.Sort(tzids)
	var head bytes.Buffer
	bw := bufio.NewWriterSize(&head, 4096)
	lw := &lineWriter{w: bw, buf: make([]byte, 0, 512)}
	lw.writeHeader(&cal)
	for _, name := range tzids {
		z := ab.zones[name]
		if err := lw.writeComponent(buildVTimezone(name, z.loc, z.span.from, z.span.to)); err != nil {
			return nil, err
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("calendar: writing the calendar head: %w", err)
	}
	return &Assembly{head: head.Bytes(), blocks: ab.blocks, runs: ab.runs, st: newStamper(cal)}, nil
}

// Size is the exact number of bytes WriteTo writes.
func (a *Assembly) Size() int64 {
	n := int64(len(a.head) + len(calendarEnd))
	for _, b := range a.blocks {
		n += b.written()
	}
	for _, r := range a.runs {
		n += r.written()
	}
	return n
}

// Footprint is roughly the memory the assembly keeps: its head, the
// blocks it holds (which a block cache may share) and its packed runs.
func (a *Assembly) Footprint() int64 {
	n := int64(len(a.head))
	for _, b := range a.blocks {
		n += int64(b.Size())
	}
	for _, r := range a.runs {
		n += int64(len(r.data) + 16*len(r.stamps) + len(r.digest))
	}
	return n
}

// WriteTo writes the calendar to w through a 64 KiB buffer, inflating the
// packed runs one after the other.
func (a *Assembly) WriteTo(w io.Writer) (int64, error) { return a.WriteFrom(w, 0) }

// WriteFrom writes the calendar's bytes from offset on, the rest of a
// calendar whose first offset bytes were sent while it was being laid out
// (see StreamBlocks): the head, blocks and packed runs wholly before
// offset are passed over without being written or inflated.
func (a *Assembly) WriteFrom(w io.Writer, offset int64) (int64, error) {
	cw := &countingWriter{w: w}
	sw := &skippingWriter{w: cw}
	bw := bufio.NewWriterSize(sw, 64<<10)
	rest := offset
	// wanted reports whether a part of n bytes is to be written, and
	// tells the writer how much of its start to drop.
	wanted := func(n int64) bool {
		if rest >= n {
			rest -= n
			return false
		}
		if rest > 0 { // nothing was written before this part
			sw.skip, rest = rest, 0
		}
		return true
	}
	if wanted(int64(len(a.head))) {
		bw.Write(a.head)
	}
	scratch := make([]byte, 0, stampLen)
	for _, b := range a.blocks {
		if wanted(b.written()) {
			writeStamped(bw, b.body, b.stamps, a.st.ofBlock(b))
		}
	}
	var zr io.ReadCloser
	for _, r := range a.runs {
		if !wanted(r.written()) {
			continue
		}
		if zr == nil {
			zr = flate.NewReader(bytes.NewReader(r.data))
		} else if err := zr.(flate.Resetter).Reset(bytes.NewReader(r.data), nil); err != nil {
			return cw.n, fmt.Errorf("calendar: reading packed events: %w", err)
		}
		if err := writeRun(bw, zr, r, &a.st, scratch); err != nil {
			return cw.n, err
		}
	}
	if wanted(int64(len(calendarEnd))) {
		bw.WriteString(calendarEnd)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("calendar: writing the calendar: %w", err)
	}
	return cw.n, nil
}

// Head is the calendar's bytes before its first event: the calendar
// properties and the VTIMEZONEs. The caller must not change it.
func (a *Assembly) Head() []byte { return a.head }

// StreamBlocks writes blocks, in the order given, as an Assembly of cal
// writes them (only cal's Stamp and EventStamps matter): the events of a
// calendar sent while it is being laid out, after a head known beforehand
// (Head of an earlier layout of the same content). It returns the bytes
// written.
func StreamBlocks(w io.Writer, cal Calendar, blocks []*EventBlock) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	st := newStamper(cal)
	for _, b := range blocks {
		writeStamped(bw, b.body, b.stamps, st.ofBlock(b))
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("calendar: writing events: %w", err)
	}
	return cw.n, nil
}

// writeStamped writes body with stamp spliced in at each offset.
func writeStamped(bw *bufio.Writer, body []byte, offsets []int, stamp []byte) {
	prev := 0
	for _, off := range offsets {
		bw.Write(body[prev:off])
		bw.Write(stamp)
		prev = off
	}
	bw.Write(body[prev:])
}

// writeRun inflates a packed run from zr into bw, splicing in the stamps
// st gives.
func writeRun(bw *bufio.Writer, zr io.Reader, r packedRun, st *stamper, scratch []byte) error {
	var prev int64
	for i, off := range r.stamps {
		if _, err := io.CopyN(bw, zr, int64(off)-prev); err != nil {
			return fmt.Errorf("calendar: writing packed events: %w", err)
		}
		bw.Write(st.of(time.Unix(r.modified[i], 0), scratch))
		prev = int64(off)
	}
	if _, err := io.CopyN(bw, zr, r.raw-prev); err != nil {
		return fmt.Errorf("calendar: writing packed events: %w", err)
	}
	return nil
}

// skippingWriter drops the first skip bytes written to it and passes the
// rest on to w, reporting every byte as written.
type skippingWriter struct {
	w    io.Writer
	skip int64
}

func (s *skippingWriter) Write(p []byte) (int, error) {
	if s.skip >= int64(len(p)) {
		s.skip -= int64(len(p))
		return len(p), nil
	}
	n, err := s.w.Write(p[s.skip:])
	n += int(s.skip)
	s.skip = 0
	return n, err
}

// countingWriter counts what reaches w, for WriteTo's result.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
