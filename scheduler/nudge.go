package scheduler

import (
	"context"
	"time"
)

// Nudger sends what a change has just queued (the invitations of a
// booking) soon after the change instead of at the next tick of the
// reminder job: Nudge asks for a drain, and one goroutine drains at most
// once per interval however many changes ask, so bookings in bulk do not
// turn into as many claims of the outbox.
type Nudger struct{ c chan struct{} }

// StartNudger runs the drains of d until ctx ends.
func StartNudger(ctx context.Context, d *Dispatcher, every time.Duration) *Nudger {
	n := &Nudger{c: make(chan struct{}, 1)}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-n.c:
			}
			if err := d.Drain(ctx); err != nil && ctx.Err() == nil {
				d.Log.Warn("outbox drain after a change failed; the next tick retries", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
		}
	}()
	return n
}

// Nudge asks for a drain; it never blocks.
func (n *Nudger) Nudge() {
	select {
	case n.c <- struct{}{}:
	default:
	}
}
