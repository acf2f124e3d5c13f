package calendar

import (
	"bytes"
	"testing"
	"time"
)

// BenchmarkParseImport10k imports the benchmark file: the 10,000
// generated events of BenchmarkRender10k (20% recurring, some with
// overrides, some all-day, five zones, three or four attendees and a
// reminder each) as Render writes them, VTIMEZONE blocks included. It
// reports events per second, the figure docs/PERFORMANCE.md records.
func BenchmarkParseImport10k(b *testing.B) {
	var buf bytes.Buffer
	if err := Render(&buf, Calendar{Name: "bench", Stamp: fixtureStamp}, genEvents(b, 10000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	opts := ImportOptions{Limits: ImportLimits{MaxBytes: int64(len(data))}}
	res, err := ParseImport(bytes.NewReader(data), opts)
	if err != nil || len(res.Events) != 10000 || len(res.Errors) != 0 {
		b.Fatalf("setup: %v, %d events, errors %v", err, len(res.Events), res.Errors)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := ParseImport(bytes.NewReader(data), opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10000*b.N)/time.Since(start).Seconds(), "events/s")
}
