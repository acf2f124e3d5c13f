package calendar

import "time"

// stamper gives each event its DTSTAMP value: the calendar's Stamp, or,
// with Calendar.EventStamps, the later of that and the event's
// LastModified. It is immutable once made, so an Assembly holding one may
// be written by several goroutines at once.
type stamper struct {
	base  time.Time // Calendar.Stamp, to the second
	baseS int64     // base in Unix seconds
	value []byte    // base as a DTSTAMP value
	own   bool      // Calendar.EventStamps
}

func newStamper(cal Calendar) stamper {
	base := cal.Stamp.UTC().Truncate(time.Second)
	return stamper{base: base, baseS: base.Unix(), value: appendUTCDateTime(nil, base), own: cal.EventStamps}
}

// of returns the DTSTAMP value of an event last modified at modified: the
// stamper's own bytes, or the event's time appended to scratch.
func (s *stamper) of(modified time.Time, scratch []byte) []byte {
	if !s.own {
		return s.value
	}
	if m := modified.UTC().Truncate(time.Second); m.After(s.base) {
		return appendUTCDateTime(scratch[:0], m)
	}
	return s.value
}

// ofBlock is of for a block's event, from the block's own stamp.
func (s *stamper) ofBlock(b *EventBlock) []byte {
	if s.own && b.modifiedS > s.baseS {
		return b.ownStamp[:]
	}
	return s.value
}
