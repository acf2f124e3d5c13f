// Package gzipjoin makes one gzip member (RFC 1952) out of parts
// compressed separately, so that a large body whose parts mostly stay the
// same from one version to the next is compressed again only where it
// changed. Each part is deflated alone (no back-reference reaches before
// its start) and ends with a sync flush, on a byte boundary; the parts
// are then written one after the other, closed by an empty final block,
// and the trailer's CRC-32 is combined from the parts' own, so the body
// is never read again to serve it compressed.
//
// A part compressed alone loses the history of the part before it: parts
// of some tens of kilobytes, more than deflate's 32 KiB window, lose
// little.
package gzipjoin

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// Part is a piece of a body, deflated alone and ended by a sync flush,
// with what the gzip trailer needs of its uncompressed bytes. A Part is
// immutable once made and may be joined into any number of bodies.
type Part struct {
	Deflated []byte
	CRC      uint32 // CRC-32 (IEEE) of the uncompressed bytes
	Size     int64  // number of uncompressed bytes
}

// Footprint is roughly what the part keeps in memory.
func (p Part) Footprint() int64 { return int64(len(p.Deflated)) + 32 }

// Compressor deflates parts one after the other with one compressor's
// state (about a megabyte, which is why it is reused). It is not safe for
// concurrent use.
type Compressor struct {
	zw  *flate.Writer
	buf bytes.Buffer
}

// NewCompressor returns a compressor at a compress/flate level.
func NewCompressor(level int) (*Compressor, error) {
	c := &Compressor{}
	zw, err := flate.NewWriter(&c.buf, level)
	if err != nil {
		return nil, fmt.Errorf("gzipjoin: compressor: %w", err)
	}
	c.zw = zw
	return c, nil
}

// Compress deflates what write writes as one part.
func (c *Compressor) Compress(write func(io.Writer) error) (Part, error) {
	c.buf.Reset()
	c.zw.Reset(&c.buf)
	sum := &summer{}
	if err := write(io.MultiWriter(c.zw, sum)); err != nil {
		return Part{}, fmt.Errorf("gzipjoin: compress a part: %w", err)
	}
	// Flush, not Close: a sync flush ends the part on a byte boundary
	// without marking its last block final.
	if err := c.zw.Flush(); err != nil {
		return Part{}, fmt.Errorf("gzipjoin: compress a part: %w", err)
	}
	return Part{Deflated: bytes.Clone(c.buf.Bytes()), CRC: sum.crc, Size: sum.n}, nil
}

// summer computes the CRC-32 and length of what is written to it.
type summer struct {
	crc uint32
	n   int64
}

func (s *summer) Write(p []byte) (int, error) {
	s.crc = crc32.Update(s.crc, crc32.IEEETable, p)
	s.n += int64(len(p))
	return len(p), nil
}

// header is a gzip member's header: deflate, no flags, no time, unknown
// operating system (RFC 1952 §2.3).
var header = [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock is an empty final block with fixed Huffman codes (BFINAL 1,
// BTYPE 01, end-of-block code 0000000): what ends the deflate stream after
// the last part's sync flush.
var finalBlock = [2]byte{0x03, 0x00}

// Size is the length of the gzip member Append writes for parts.
func Size(parts []Part) int64 {
	n := int64(len(header) + len(finalBlock) + 8)
	for _, p := range parts {
		n += int64(len(p.Deflated))
	}
	return n
}

// Append appends to dst one gzip member whose uncompressed bytes are the
// parts' in order.
func Append(dst []byte, parts []Part) []byte {
	dst = append(dst, header[:]...)
	var t trailer
	for _, p := range parts {
		dst = append(dst, p.Deflated...)
		t.add(p)
	}
	return t.append(dst)
}

// trailer is what ends a member: the parts' combined CRC-32 and length.
type trailer struct {
	crc  uint32
	size int64
}

func (t *trailer) add(p Part) {
	t.crc = crc32Combine(t.crc, p.CRC, p.Size)
	t.size += p.Size
}

// append appends the empty final block and the gzip trailer.
func (t *trailer) append(dst []byte) []byte {
	dst = append(dst, finalBlock[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, t.crc)
	// ISIZE is the length modulo 2³² (RFC 1952 §2.3.1).
	return binary.LittleEndian.AppendUint32(dst, uint32(t.size))
}

// Writer writes one gzip member part by part, as the parts become
// known: a body whose parts are compressed while it is being made is
// sent before its last part exists. Its bytes are Append's for the same
// parts.
type Writer struct {
	w       io.Writer
	t       trailer
	started bool
	n       int64 // bytes written to w
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// WritePart writes the next part (the member's header first).
func (jw *Writer) WritePart(p Part) error {
	if !jw.started {
		jw.started = true
		if err := jw.write(header[:]); err != nil {
			return err
		}
	}
	if err := jw.write(p.Deflated); err != nil {
		return err
	}
	jw.t.add(p)
	return nil
}

// Close ends the member: its final block and trailer (and its header,
// when no part was written). It does not close the underlying writer.
func (jw *Writer) Close() error {
	var buf [len(header) + len(finalBlock) + 8]byte
	out := buf[:0]
	if !jw.started {
		jw.started = true
		out = append(out, header[:]...)
	}
	return jw.write(jw.t.append(out))
}

// Written is how many compressed bytes were written so far.
func (jw *Writer) Written() int64 { return jw.n }

// Uncompressed is how many uncompressed bytes the parts written hold.
func (jw *Writer) Uncompressed() int64 { return jw.t.size }

func (jw *Writer) write(b []byte) error {
	n, err := jw.w.Write(b)
	jw.n += int64(n)
	if err != nil {
		return fmt.Errorf("gzipjoin: write: %w", err)
	}
	return nil
}
