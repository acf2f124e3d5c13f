package calendar

import (
	"bytes"
	"io"
	"testing"

	"github.com/emersion/go-ical"
)

// BenchmarkRender10k renders the DESIGN target: a feed of 10,000 events,
// 20% recurring, three or four attendees each, five time zones. The target
// is 50 ms per render on the 2-core machine.
func BenchmarkRender10k(b *testing.B) {
	events := genEvents(b, 10000)
	cal := Calendar{Name: "bench", Stamp: fixtureStamp}
	var buf bytes.Buffer
	if err := Render(&buf, cal, events); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, cal, events); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoIcalEncoder10k measures go-ical's own Encoder on the same
// calendar (decoded from Render's output), without the cost of building the
// components, to document why Render writes lines itself: this alone is
// slower than the whole of Render, and its output is not folded.
func BenchmarkGoIcalEncoder10k(b *testing.B) {
	var buf bytes.Buffer
	if err := Render(&buf, Calendar{Name: "bench", Stamp: fixtureStamp}, genEvents(b, 10000)); err != nil {
		b.Fatal(err)
	}
	decoded, err := ical.NewDecoder(&buf).Decode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := ical.NewEncoder(io.Discard).Encode(decoded); err != nil {
			b.Fatal(err)
		}
	}
}
