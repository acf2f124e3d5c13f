package calendar

import (
	"bytes"
	"regexp"
	"testing"
	"time"
)

// uidStamp matches each VEVENT's UID and DTSTAMP lines, written one after
// the other by writeEventHead.
var uidStamp = regexp.MustCompile(`UID:(\S+)\r\nDTSTAMP:(\S+)\r\n`)

// TestEventStamps checks that with EventStamps each event's DTSTAMP is the
// later of the calendar's Stamp and its LastModified, and that Render, an
// assembly (blocks held, packed, or both) and StreamBlocks write the same
// bytes.
func TestEventStamps(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 3000)
	// genEvents' events were modified a minute apart from 2024-01-02
	// 10:00; half of them after this stamp.
	cal := Calendar{Name: "feed", Stamp: time.Date(2024, 1, 3, 10, 0, 0, 500, time.UTC), EventStamps: true}
	var want bytes.Buffer
	if err := Render(&want, cal, events); err != nil {
		t.Fatal(err)
	}
	byUID := map[string]time.Time{}
	for _, ev := range events {
		byUID[ev.UID] = ev.LastModified
	}
	own, base := 0, 0
	for _, m := range uidStamp.FindAllSubmatch(want.Bytes(), -1) {
		wantStamp := cal.Stamp.Truncate(time.Second)
		if lm := byUID[string(m[1])]; lm.After(wantStamp) {
			wantStamp, own = lm, own+1
		} else {
			base++
		}
		if got := string(m[2]); got != wantStamp.UTC().Format("20060102T150405Z") {
			t.Fatalf("%s: DTSTAMP %s, want %s", m[1], got, wantStamp)
		}
	}
	if own == 0 || base == 0 {
		t.Fatalf("fixture: %d events stamped with their own time, %d with the calendar's; want both", own, base)
	}
	blocks, err := RenderEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, b := range blocks {
		total += int64(b.Size())
	}
	for name, hold := range map[string]int64{"held": -1, "packed": 0, "both": total / 2} {
		a, got := buildChunked(t, cal, blocks, hold, 500)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%s: the assembly (%d bytes) differs from Render (%d bytes)", name, len(got), want.Len())
		}
		if a.Size() != int64(len(got)) {
			t.Fatalf("%s: Size %d, wrote %d", name, a.Size(), len(got))
		}
		if name == "held" {
			var streamed bytes.Buffer
			streamed.Write(a.Head())
			if _, err := StreamBlocks(&streamed, cal, a.blocks); err != nil {
				t.Fatal(err)
			}
			streamed.WriteString(calendarEnd)
			if !bytes.Equal(streamed.Bytes(), want.Bytes()) {
				t.Fatal("StreamBlocks differs from Render")
			}
		}
	}
}

// partsWritten writes an assembly's parts one after the other, checking
// that each writes its Size.
func partsWritten(t *testing.T, a *Assembly) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range a.Parts() {
		n, err := p.WriteTo(&b)
		if err != nil {
			t.Fatal(err)
		}
		if n != p.Size() {
			t.Fatalf("a part of kind %d wrote %d bytes, its Size is %d", p.kind, n, p.Size())
		}
	}
	return b.Bytes()
}

// TestPartsMakeTheCalendar checks that the parts, one after the other, are
// the calendar, whether its blocks are held, packed or both.
func TestPartsMakeTheCalendar(t *testing.T) {
	t.Parallel()
	blocks, err := RenderEvents(genEvents(t, 3000))
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, b := range blocks {
		total += int64(b.Size())
	}
	for _, cal := range []Calendar{{Name: "feed", Stamp: fixtureStamp}, {Name: "feed", Stamp: time.Date(2024, 1, 3, 10, 0, 0, 0, time.UTC), EventStamps: true}} {
		for name, hold := range map[string]int64{"held": -1, "packed": 0, "both": total / 2} {
			a, whole := buildChunked(t, cal, blocks, hold, 500)
			if got := partsWritten(t, a); !bytes.Equal(got, whole) {
				t.Fatalf("%s, event stamps %v: the parts make %d bytes, the calendar is %d", name, cal.EventStamps, len(got), len(whole))
			}
			if n := len(a.Parts()); n < 2+len(a.runs)+len(a.blocks)/(4*partEvents) {
				t.Errorf("%s: %d parts for %d held blocks and %d runs", name, n, len(a.blocks), len(a.runs))
			}
		}
	}
}

// keys are an assembly's part keys.
func keys(a *Assembly) [][32]byte {
	var out [][32]byte
	for _, p := range a.Parts() {
		out = append(out, p.Key)
	}
	return out
}

// differing counts the keys of a not in b.
func differing(a, b [][32]byte) int {
	in := map[[32]byte]bool{}
	for _, k := range b {
		in[k] = true
	}
	n := 0
	for _, k := range a {
		if !in[k] {
			n++
		}
	}
	return n
}

// TestPartKeysFollowContent checks that part keys name the bytes: the
// same events rendered again give the same keys, one event changed or
// removed changes its chunk's key only, and a calendar stamp that every
// event shows changes every chunk's and every packed run's.
func TestPartKeysFollowContent(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 4000)
	cal := Calendar{Name: "feed", Stamp: time.Date(2024, 1, 2, 9, 0, 0, 0, time.UTC), EventStamps: true}
	assemble := func(evs []Event, cal Calendar, hold int64) *Assembly {
		blocks, err := RenderEvents(evs)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := buildChunked(t, cal, blocks, hold, 300)
		return a
	}
	later := cal
	later.Stamp, later.EventStamps = fixtureStamp, false
	for _, hold := range []int64{-1, 0, 2 << 20} {
		base := keys(assemble(events, cal, hold))
		if len(base) < 5 {
			t.Fatalf("hold %d: %d parts", hold, len(base))
		}
		if again := keys(assemble(events, cal, hold)); differing(again, base) != 0 {
			t.Fatalf("hold %d: the same events rendered again give other keys", hold)
		}
		// Every DTSTAMP changed, nothing else: every part that holds
		// events must be compressed again, held or packed.
		if n := differing(keys(assemble(events, later, hold)), base); n != len(base)-2 {
			t.Fatalf("hold %d: every DTSTAMP changed: %d of %d parts differ, want all but the head and end", hold, n, len(base))
		}
	}
	base := keys(assemble(events, cal, -1))
	changed := append([]Event(nil), events...)
	changed[1777].Location += " (moved)"
	changed[1777].LastModified = changed[1777].LastModified.Add(time.Hour)
	if n := differing(keys(assemble(changed, cal, -1)), base); n != 1 {
		t.Fatalf("one event changed: %d parts differ, want 1", n)
	}
	removed := append(append([]Event(nil), events[:2500]...), events[2501:]...)
	if n := differing(keys(assemble(removed, cal, -1)), base); n != 1 {
		t.Fatalf("one event removed: %d parts differ, want 1", n)
	}
}

// TestPartCutterCutsAsParts checks that what a streamed answer builds its
// parts from — HeadPart, a PartCutter given the events one by one in the
// calendar's order, and EndPart — gives the parts of the held assembly's
// Parts, with the same keys, sizes and bytes, so that a streamed gzip
// answer shares the parts a finished layout's is joined from; and that a
// part written from an offset writes the rest of its bytes.
func TestPartCutterCutsAsParts(t *testing.T) {
	t.Parallel()
	blocks, err := RenderEvents(genEvents(t, 3000))
	if err != nil {
		t.Fatal(err)
	}
	cal := Calendar{Name: "feed", Stamp: time.Date(2024, 1, 3, 10, 0, 0, 0, time.UTC), EventStamps: true}
	a, _ := buildChunked(t, cal, blocks, -1, 500)
	want := a.Parts()
	if len(want) < 6 {
		t.Fatalf("fixture: %d parts, want several chunks", len(want))
	}
	pc := NewPartCutter(cal)
	got := []Part{HeadPart(a.Head())}
	for _, b := range a.blocks {
		if p, ok := pc.Add(b); ok {
			got = append(got, p)
		}
	}
	if p, ok := pc.Flush(); ok {
		got = append(got, p)
	}
	if _, ok := pc.Flush(); ok {
		t.Fatal("a second Flush returned a part")
	}
	got = append(got, EndPart())
	if len(got) != len(want) {
		t.Fatalf("%d parts, want %d", len(got), len(want))
	}
	for i := range want {
		var gb, wb, rest bytes.Buffer
		if _, err := got[i].WriteTo(&gb); err != nil {
			t.Fatal(err)
		}
		if _, err := want[i].WriteTo(&wb); err != nil {
			t.Fatal(err)
		}
		if got[i].Key != want[i].Key || got[i].Size() != want[i].Size() || int64(gb.Len()) != got[i].Size() || !bytes.Equal(gb.Bytes(), wb.Bytes()) {
			t.Fatalf("part %d: key equal %v, size %d (wrote %d), want %d", i, got[i].Key == want[i].Key, got[i].Size(), gb.Len(), want[i].Size())
		}
		skip := got[i].Size() / 3
		if n, err := got[i].WriteFrom(&rest, skip); err != nil || n != got[i].Size()-skip || !bytes.Equal(rest.Bytes(), gb.Bytes()[skip:]) {
			t.Fatalf("part %d written from %d: %d bytes (%v), want its last %d", i, skip, n, err, got[i].Size()-skip)
		}
	}
}
