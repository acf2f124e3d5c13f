// Package gate bounds how many expensive computations a process runs at
// once. A cold feed or a conflicts agenda at 100,000 activities costs
// tens of megabytes and most of a core for a second; started without a
// bound, a burst of distinct requests multiplies both until the process
// runs out of memory or every request times out. A gate lets a few run,
// makes the next wait a little, and turns the rest away early so that
// the caller can answer "busy, retry" instead.
package gate

import (
	"context"
	"time"
)

// Gate is a counting semaphore whose waiters give up after a fixed wait.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// New returns a gate of n slots (at least one) whose waiters wait at most
// wait for one to come free.
func New(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// Enter takes a slot, waiting at most the gate's wait; ok is false when
// none came free in time or ctx ended, and then the caller must not call
// Leave.
func (g *Gate) Enter(ctx context.Context) (ok bool) {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// Leave gives back a slot taken by Enter.
func (g *Gate) Leave() { <-g.slots }
