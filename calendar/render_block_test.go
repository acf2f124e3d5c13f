package calendar

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// assemble renders each event alone and assembles the calendar from the
// blocks, as a feed with a warm block cache does.
func assemble(t testing.TB, cal Calendar, events []Event) []byte {
	t.Helper()
	blocks, err := RenderEvents(events)
	if err != nil {
		t.Fatalf("RenderEvents: %v", err)
	}
	a, err := Assemble(cal, blocks)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	return written(t, a)
}

// written writes an assembled calendar and checks that the byte counts
// it reports agree with what it wrote.
func written(t testing.TB, a *Assembly) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := a.WriteTo(&buf)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(buf.Len()) || a.Size() != n {
		t.Fatalf("WriteTo reported %d bytes, Size %d, wrote %d", n, a.Size(), buf.Len())
	}
	return buf.Bytes()
}

// TestAssembleMatchesGolden: a calendar assembled from blocks rendered one
// event at a time is byte for byte the golden file Render produced.
func TestAssembleMatchesGolden(t *testing.T) {
	t.Parallel()
	for _, gc := range goldenCases(t) {
		t.Run(gc.name, func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(filepath.Join("testdata", gc.name+".ics"))
			if err != nil {
				t.Fatal(err)
			}
			if got := assemble(t, gc.cal, gc.events); !bytes.Equal(got, want) {
				t.Errorf("assembled output differs from %s:\n%s", gc.name, got)
			}
		})
	}
}

// TestAssembleMatchesRender compares with Render on the generated
// 2,000-event calendar (zones, recurrence, overrides, attendees) and with
// several stamps, since DTSTAMP is the one value spliced in.
func TestAssembleMatchesRender(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 2000)
	for _, stamp := range []time.Time{fixtureStamp, time.Date(2031, 12, 31, 23, 59, 59, 0, time.UTC)} {
		cal := Calendar{Name: "feed", Stamp: stamp}
		var want bytes.Buffer
		if err := Render(&want, cal, events); err != nil {
			t.Fatal(err)
		}
		got := assemble(t, cal, events)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("stamp %v: assembled calendar (%d bytes) differs from Render (%d bytes)", stamp, len(got), want.Len())
		}
	}
}

// TestAssembleErrors: the errors Render gives for bad input come from
// RenderEvent or Assemble, before any byte is written.
func TestAssembleErrors(t *testing.T) {
	t.Parallel()
	ev := baseEvent()
	bad := ev
	bad.UID = ""
	if _, err := RenderEvent(bad); err == nil || !strings.Contains(err.Error(), "empty UID") {
		t.Errorf("RenderEvent without UID: %v", err)
	}
	b1, err := RenderEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := RenderEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Assemble(Calendar{Stamp: fixtureStamp}, []*EventBlock{b1, b2}); err == nil || !strings.Contains(err.Error(), "share the UID") {
		t.Errorf("Assemble with a duplicate UID: %v", err)
	}
	if _, err := Assemble(Calendar{Method: "NOPE", Stamp: fixtureStamp}, []*EventBlock{b1}); err == nil {
		t.Error("Assemble with an unknown method: no error")
	}
	if _, err := Assemble(Calendar{Stamp: fixtureStamp}, []*EventBlock{b1}); err != nil {
		t.Errorf("Assemble of one block: %v", err)
	}
}

// BenchmarkAssemble10k is the cost of a feed whose events are all cached:
// order 10,000 blocks, build the VTIMEZONEs and write the body.
func BenchmarkAssemble10k(b *testing.B) {
	events := genEvents(b, 10000)
	blocks, err := RenderEvents(events)
	if err != nil {
		b.Fatal(err)
	}
	cal := Calendar{Name: "bench", Stamp: fixtureStamp}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		a, err := Assemble(cal, blocks)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkRenderEvents10k is the cost of rendering 10,000 blocks, the cold
// part of a feed whose block cache is empty.
func BenchmarkRenderEvents10k(b *testing.B) {
	events := genEvents(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderEvents(events); err != nil {
			b.Fatal(err)
		}
	}
}
