package calendar

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// TestGolden renders each golden case and compares it byte for byte with
// testdata/<name>.ics; run with -update to regenerate after an intended
// change, then review the diff. Every golden output also has to pass the
// independent validator and the go-ical round trip.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, gc := range goldenCases(t) {
		t.Run(gc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Render(&buf, gc.cal, gc.events); err != nil {
				t.Fatalf("Render: %v", err)
			}
			path := filepath.Join("testdata", gc.name+".ics")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -run TestGolden -update to create it): %v", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("output differs from %s (run with -update after checking the change):\n--- got ---\n%s", path, buf.String())
			}
			if err := validateICS(want); err != nil {
				t.Errorf("golden file %s: %v", path, err)
			}
			roundTrip(t, buf.Bytes(), gc.cal, gc.events)
		})
	}
}

// TestRenderDeterministic renders the same input twice, once with the events
// in reverse order, and expects identical bytes.
func TestRenderDeterministic(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 300)
	var a, b bytes.Buffer
	if err := Render(&a, Calendar{Stamp: fixtureStamp}, events); err != nil {
		t.Fatal(err)
	}
	reversed := make([]Event, len(events))
	for i, ev := range events {
		reversed[len(events)-1-i] = ev
	}
	if err := Render(&b, Calendar{Stamp: fixtureStamp}, reversed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("output depends on the order of the input events")
	}
}

// TestLargeCalendarValid runs the validator and the round trip over a
// 1,000-event calendar.
func TestLargeCalendarValid(t *testing.T) {
	t.Parallel()
	events := genEvents(t, 1000)
	cal := Calendar{Name: "large", Stamp: fixtureStamp}
	var buf bytes.Buffer
	if err := Render(&buf, cal, events); err != nil {
		t.Fatal(err)
	}
	if err := validateICS(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, buf.Bytes(), cal, events)
}
