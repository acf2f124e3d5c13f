package gate_test

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/gate"
)

// TestGateBoundsAndWaits: a gate lets its slots' worth in, makes the next
// wait, lets a waiter in when a slot is given back, and turns a waiter
// away when its wait runs out or its context ends.
func TestGateBoundsAndWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := gate.New(2, 50*time.Millisecond)
	if !g.Enter(ctx) || !g.Enter(ctx) {
		t.Fatal("a gate of two refused one of the first two")
	}
	if g.Enter(ctx) {
		t.Fatal("a third entered a gate of two")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if g.Enter(cancelled) {
		t.Fatal("a waiter whose context ended entered")
	}
	waiting := gate.New(1, time.Minute)
	if !waiting.Enter(ctx) {
		t.Fatal("the first refused")
	}
	entered := make(chan bool)
	go func() { entered <- waiting.Enter(ctx) }()
	waiting.Leave()
	if !<-entered {
		t.Fatal("a waiter was refused although the slot was given back")
	}
	if z := gate.New(0, time.Millisecond); !z.Enter(ctx) {
		t.Fatal("a gate asked for 0 slots has none; it should have one")
	}
}
