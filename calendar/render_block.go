package calendar

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// stampLen is the length of a UTC DATE-TIME value (YYYYMMDDTHHMMSSZ), the
// only form DTSTAMP takes.
const stampLen = 16

// stampLine starts every DTSTAMP line; a CRLF is always before it and a
// TEXT value can never hold a bare CRLF (appendText escapes line breaks and
// folding inserts CRLF SPACE), so finding it finds exactly the DTSTAMPs.
var stampLine = []byte("\r\nDTSTAMP:")

// EventBlock is one event rendered ahead of time: its master VEVENT and
// override VEVENTs as the exact bytes Render would write, minus the DTSTAMP
// values. The DTSTAMP is the feed's and changes whenever anything in the
// feed changes, so it is spliced in by Assemble; everything else depends on
// the event alone, which lets a feed cache blocks per event and re-render
// only the events that changed. An EventBlock is immutable once made and
// safe to share between goroutines and feeds.
type EventBlock struct {
	uid    string
	body   []byte // the VEVENTs with every DTSTAMP value cut out
	stamps []int  // offsets in body where a DTSTAMP value goes, ascending
	zone   *zone  // TZID the VTIMEZONE section must describe; nil for none
	span   span   // instants that VTIMEZONE must cover for this event
	// modified is the event's LastModified, from which a feed derives its
	// own DTSTAMP and Last-Modified.
	modified time.Time
}

// LastModified is the event's LastModified (zero when it has none).
func (b *EventBlock) LastModified() time.Time { return b.modified }

// UID is the event's UID, by which Assemble orders blocks.
func (b *EventBlock) UID() string { return b.uid }

// Size is the number of bytes the block occupies in a feed, and roughly what
// it costs to keep in memory.
func (b *EventBlock) Size() int { return len(b.body) + stampLen*len(b.stamps) + len(b.uid) }

// RenderEvents validates and renders events one block each, as Render
// would write them inside a calendar. Zones and recurrence rules shared by
// the events are loaded and parsed once per call, so callers should pass
// every event they need at once. Errors name the event's UID and the field
// at fault, as Render's; no block is returned then.
func RenderEvents(events []Event) ([]*EventBlock, error) {
	pr := newPreparer(0)
	var out bytes.Buffer
	bw := bufio.NewWriterSize(&out, 4096)
	lw := &lineWriter{w: bw, buf: make([]byte, 0, 512)}
	placeholder := make([]byte, stampLen)
	blocks := make([]*EventBlock, len(events))
	for i := range events {
		ev := &events[i]
		pr.attendees = pr.attendees[:0] // the block is made before the next event reuses the slab
		p, err := pr.prepare(ev)
		if err != nil {
			return nil, err
		}
		out.Reset()
		lw.writeEvent(&p, placeholder)
		if err := bw.Flush(); err != nil {
			return nil, fmt.Errorf("calendar: event %q: %w", ev.UID, err)
		}
		blocks[i] = newBlock(&p, out.Bytes())
	}
	return blocks, nil
}

// RenderEvent is RenderEvents for one event.
func RenderEvent(ev Event) (*EventBlock, error) {
	blocks, err := RenderEvents([]Event{ev})
	if err != nil {
		return nil, err
	}
	return blocks[0], nil
}

// newBlock cuts the placeholder DTSTAMP values out of raw, an event written
// by writeEvent, and records where they go.
func newBlock(p *prepared, raw []byte) *EventBlock {
	n := bytes.Count(raw, stampLine)
	b := &EventBlock{uid: p.ev.UID, modified: p.ev.LastModified.UTC(), body: make([]byte, 0, len(raw)-n*stampLen), stamps: make([]int, 0, n)}
	// "BEGIN:VEVENT" opens the block, so each DTSTAMP line has a CRLF before it.
	for {
		i := bytes.Index(raw, stampLine)
		if i < 0 {
			break
		}
		cut := i + len(stampLine)
		b.body = append(b.body, raw[:cut]...)
		b.stamps = append(b.stamps, len(b.body))
		raw = raw[cut+stampLen:]
	}
	b.body = append(b.body, raw...)
	if p.zone != nil && !p.ev.AllDay {
		b.zone = p.zone
		b.span = p.zoneSpan(p.rruleOpt)
	}
	return b
}

// Assembly is a calendar made of pre-rendered blocks, ready to be written:
// its size is known before the first byte goes out (for Content-Length) and
// WriteTo streams it without building the whole body in memory.
type Assembly struct {
	head   []byte // calendar properties and VTIMEZONEs
	blocks []*EventBlock
	stamp  []byte
}

// calendarEnd closes every calendar.
const calendarEnd = "END:VCALENDAR\r\n"

// Assemble orders blocks by UID and prepares the calendar around them: the
// same bytes Render writes for the same events and cal. Two blocks with one
// UID are an error, as in Render. blocks is not modified.
func Assemble(cal Calendar, blocks []*EventBlock) (*Assembly, error) {
	cal, err := cal.normalized()
	if err != nil {
		return nil, err
	}
	sorted := slices.Clone(blocks)
	slices.SortFunc(sorted, func(a, b *EventBlock) int { return strings.Compare(a.uid, b.uid) })
	zones := map[string]*zone{}
	for i, b := range sorted {
		if i > 0 && b.uid == sorted[i-1].uid {
			return nil, fmt.Errorf("calendar: two events share the UID %q", b.uid)
		}
		if b.zone == nil {
			continue
		}
		z, ok := zones[b.zone.name]
		if !ok {
			z = &zone{name: b.zone.name, loc: b.zone.loc}
			zones[b.zone.name] = z
		}
		z.span.merge(b.span)
	}
	tzids := make([]string, 0, len(zones))
	for name := range zones {
		tzids = append(tzids, name)
	}
	slices.Sort(tzids)

	var head bytes.Buffer
	bw := bufio.NewWriterSize(&head, 4096)
	lw := &lineWriter{w: bw, buf: make([]byte, 0, 512)}
	lw.writeHeader(&cal)
	for _, name := range tzids {
		z := zones[name]
		if err := lw.writeComponent(buildVTimezone(name, z.loc, z.span.from, z.span.to)); err != nil {
			return nil, err
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("calendar: writing the calendar head: %w", err)
	}
	return &Assembly{head: head.Bytes(), blocks: sorted, stamp: appendUTCDateTime(nil, cal.Stamp)}, nil
}

// Size is the exact number of bytes WriteTo writes.
func (a *Assembly) Size() int64 {
	n := int64(len(a.head) + len(calendarEnd))
	for _, b := range a.blocks {
		n += int64(len(b.body) + len(a.stamp)*len(b.stamps))
	}
	return n
}

// WriteTo writes the calendar to w through a 64 KiB buffer.
func (a *Assembly) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	bw.Write(a.head)
	for _, b := range a.blocks {
		prev := 0
		for _, off := range b.stamps {
			bw.Write(b.body[prev:off])
			bw.Write(a.stamp)
			prev = off
		}
		bw.Write(b.body[prev:])
	}
	bw.WriteString(calendarEnd)
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("calendar: writing the calendar: %w", err)
	}
	return cw.n, nil
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
