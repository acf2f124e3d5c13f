package calendar

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
	"unsafe"
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
// values. The DTSTAMP depends on the calendar (its Stamp, and EventStamps),
// so it is spliced in by Assemble; everything else depends on the event
// alone, which lets a feed cache blocks per event and re-render only the
// events that changed. An EventBlock is immutable once made and
// safe to share between goroutines and feeds.
type EventBlock struct {
	uid    string
	body   []byte // the VEVENTs with every DTSTAMP value cut out
	stamps []int  // offsets in body where a DTSTAMP value goes, ascending
	zone   *zone  // TZID the VTIMEZONE section must describe; nil for none
	span   span   // instants that VTIMEZONE must cover for this event
	// modified is the event's LastModified, from which a feed derives its
	// own DTSTAMP and Last-Modified; modifiedS and ownStamp are it to the
	// second and as a DTSTAMP value, worked out once (setModified) since a
	// feed of 10,000 events writes them on every answer.
	modified  time.Time
	modifiedS int64
	ownStamp  [stampLen]byte
	// digest names the body and stamp offsets in a gzip part's key; it is
	// worked out the first time a feed holding the block is compressed.
	digestOnce sync.Once
	digest     [sha256.Size]byte
}

// written is how many bytes the block occupies in a calendar, its
// DTSTAMP values spliced in.
func (b *EventBlock) written() int64 { return int64(len(b.body) + stampLen*len(b.stamps)) }

// setModified records the event's LastModified.
func (b *EventBlock) setModified(t time.Time) {
	b.modified = t.UTC()
	b.modifiedS = b.modified.Unix()
	appendUTCDateTime(b.ownStamp[:0], b.modified)
}

// contentDigest is a SHA-256 of the block's body and stamp offsets:
// everything its bytes in a feed depend on but the DTSTAMP values.
func (b *EventBlock) contentDigest() *[sha256.Size]byte {
	b.digestOnce.Do(func() {
		h := sha256.New()
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(b.stamps)))])
		for _, off := range b.stamps {
			h.Write(n[:binary.PutUvarint(n[:], uint64(off))])
		}
		h.Write(b.body)
		h.Sum(b.digest[:0])
	})
	return &b.digest
}

// LastModified is the event's LastModified (zero when it has none).
func (b *EventBlock) LastModified() time.Time { return b.modified }

// UID is the event's UID, by which Assemble orders blocks.
func (b *EventBlock) UID() string { return b.uid }

// Size is roughly what the block costs to keep in memory: the bytes it
// occupies in a feed, its UID and the block itself.
func (b *EventBlock) Size() int {
	return int(b.written()) + len(b.uid) + int(unsafe.Sizeof(EventBlock{}))
}

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
	b := &EventBlock{uid: p.ev.UID, body: make([]byte, 0, len(raw)-n*stampLen), stamps: make([]int, 0, n)}
	b.setModified(p.ev.LastModified)
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
