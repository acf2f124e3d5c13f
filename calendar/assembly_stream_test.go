package calendar

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestStreamedCalendarMatchesAssembly: a calendar sent as an earlier
// layout's head, then its blocks chunk by chunk (StreamBlocks), then the
// rest from the finished layout (WriteFrom at the bytes sent) is the
// layout's own bytes, whether the layout holds its blocks or packs them.
func TestStreamedCalendarMatchesAssembly(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 1500)
	blocks, err := RenderEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(blocks)
	slices.SortFunc(sorted, func(a, b *EventBlock) int { return strings.Compare(a.uid, b.uid) })
	cal := Calendar{Name: "feed", Stamp: fixtureStamp}
	for _, tc := range []struct {
		name     string
		hold     int64
		streamed int // blocks streamed before the rest comes from the layout
	}{
		{"all held, all streamed", -1, len(sorted)},
		{"all packed, all streamed", 0, len(sorted)},
		{"held, half streamed", -1, len(sorted) / 2},
		{"packed, a third streamed", 0, len(sorted) / 3},
		{"packed, none streamed", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, want := buildChunked(t, cal, blocks, tc.hold, 400)
			var got bytes.Buffer
			got.Write(a.Head())
			n, err := StreamBlocks(&got, cal, sorted[:tc.streamed])
			if err != nil || n != int64(got.Len()-len(a.Head())) {
				t.Fatalf("StreamBlocks wrote %d bytes (%v), buffer holds %d after the head", n, err, got.Len()-len(a.Head()))
			}
			sent := int64(got.Len())
			rest, err := a.WriteFrom(&got, sent)
			if err != nil {
				t.Fatal(err)
			}
			if rest != a.Size()-sent {
				t.Errorf("WriteFrom(%d) wrote %d bytes, want %d", sent, rest, a.Size()-sent)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("streamed calendar (%d bytes) differs from the layout's (%d bytes)", got.Len(), len(want))
			}
		})
	}
}

// TestWriteFromEveryOffset: WriteFrom(offset) is the layout's bytes from
// offset on, for offsets inside the head, inside and between held blocks
// and packed runs, and at the end.
func TestWriteFromEveryOffset(t *testing.T) {
	t.Parallel()
	blocks, err := RenderEvents(genEvents(t, 60))
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, b := range blocks {
		total += int64(b.Size())
	}
	a, whole := buildChunked(t, Calendar{Name: "feed", Stamp: fixtureStamp}, blocks, total/2, 7)
	if len(a.runs) == 0 || len(a.blocks) == 0 {
		t.Fatalf("fixture: %d held blocks, %d runs; want both", len(a.blocks), len(a.runs))
	}
	var offsets []int
	for off := 0; off < len(whole); off += 1 + off%97 {
		offsets = append(offsets, off)
	}
	for _, off := range append(offsets, len(whole)-1, len(whole)) {
		var got bytes.Buffer
		n, err := a.WriteFrom(&got, int64(off))
		if err != nil || n != int64(len(whole)-off) || !bytes.Equal(got.Bytes(), whole[off:]) {
			t.Fatalf("WriteFrom(%d): %d bytes (%v), want the %d bytes from there", off, n, err, len(whole)-off)
		}
	}
}
