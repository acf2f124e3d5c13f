package calendar

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// buildChunked adds blocks to a builder in UID order, chunk blocks at a
// time, as a feed laid out chunk by chunk does, and writes the result.
func buildChunked(t *testing.T, cal Calendar, blocks []*EventBlock, hold int64, chunk int) (*Assembly, []byte) {
	t.Helper()
	sorted := slices.Clone(blocks)
	slices.SortFunc(sorted, func(a, b *EventBlock) int { return strings.Compare(a.uid, b.uid) })
	ab := NewAssemblyBuilder(hold)
	for len(sorted) > 0 {
		n := min(chunk, len(sorted))
		if err := ab.Add(sorted[:n]...); err != nil {
			t.Fatalf("Add: %v", err)
		}
		sorted = sorted[n:]
	}
	a, err := ab.Assemble(cal)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	return a, written(t, a)
}

// TestAssemblyBuilderMatchesRender: a calendar built chunk by chunk is
// Render's bytes whether its blocks are all held, all packed or split
// between the two, across several packed runs, and its footprint shrinks
// when blocks are packed.
func TestAssemblyBuilderMatchesRender(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 4000)
	blocks, err := RenderEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, b := range blocks {
		total += int64(b.Size())
	}
	if total < 2*packRunBytes {
		t.Fatalf("the fixture is %d bytes of blocks, too few for several packed runs", total)
	}
	cal := Calendar{Name: "feed", Stamp: fixtureStamp}
	var want bytes.Buffer
	if err := Render(&want, cal, events); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		hold  int64
		chunk int
		runs  int // at least
	}{
		{"all held", -1, 500, 0},
		{"all packed", 0, 500, 2},
		{"a third held", total / 3, 700, 1},
		{"one block at a time", total / 2, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, got := buildChunked(t, cal, blocks, tc.hold, tc.chunk)
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("built calendar (%d bytes) differs from Render (%d bytes)", len(got), want.Len())
			}
			if len(a.runs) < tc.runs {
				t.Errorf("%d packed runs, want at least %d", len(a.runs), tc.runs)
			}
			if tc.hold == 0 && a.Footprint()*4 > total {
				t.Errorf("all packed, the assembly keeps %d bytes of %d", a.Footprint(), total)
			}
			// An assembly is written by concurrent requests: a second write
			// gives the same bytes.
			var again bytes.Buffer
			if _, err := a.WriteTo(&again); err != nil || !bytes.Equal(again.Bytes(), got) {
				t.Errorf("second write differs (err %v)", err)
			}
		})
	}
}

// TestAssemblyBuilderOrder: blocks must come in increasing UID order; an
// equal UID is Render's duplicate error.
func TestAssemblyBuilderOrder(t *testing.T) {
	t.Parallel()
	a, b := baseEvent(), baseEvent()
	a.UID, b.UID = "a@test", "b@test"
	blocks, err := RenderEvents([]Event{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		hold   int64
		blocks []*EventBlock
		want   string
	}{
		{"duplicate held", -1, []*EventBlock{blocks[0], blocks[0]}, "share the UID"},
		{"duplicate packed", 0, []*EventBlock{blocks[1], blocks[1]}, "share the UID"},
		{"descending", -1, []*EventBlock{blocks[1], blocks[0]}, "out of UID order"},
	} {
		ab := NewAssemblyBuilder(tc.hold)
		if err := ab.Add(tc.blocks...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Add gave %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}
