package api

import (
	"sync"
	"time"
)

// flusher runs a batch writer's flush in a goroutine of its own: every
// tick (when every > 0), whenever kick delivers (when not nil), and once
// more when closed, so that what was batched in memory is written before
// the process ends. The feed poll counts and the rendered feed blocks are
// both written this way.
type flusher struct {
	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

func startFlusher(every time.Duration, kick <-chan struct{}, flush func()) *flusher {
	f := &flusher{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		var tick <-chan time.Time // nil: never
		if every > 0 {
			t := time.NewTicker(every)
			defer t.Stop()
			tick = t.C
		}
		for {
			select {
			case <-tick:
				flush()
			case <-kick:
				flush()
			case <-f.stop:
				flush()
				return
			}
		}
	}()
	return f
}

// close flushes once more and waits for the goroutine to end; it may be
// called more than once.
func (f *flusher) close() {
	f.stopOnce.Do(func() { close(f.stop) })
	<-f.done
}
