package auth

import (
	"sync"
	"time"
)

// Limiter allows each key (a client address) at most Burst events per
// Window, counted in a sliding window. It bounds sign-in attempts per
// client in one process; the store bounds links per e-mail address across
// processes. Memory is bounded: keys idle for a window are dropped.
type Limiter struct {
	burst  int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	events map[string][]time.Time
	swept  time.Time
}

// NewLimiter returns a limiter of burst events per window and key.
func NewLimiter(burst int, window time.Duration) *Limiter {
	return &Limiter{burst: burst, window: window, now: time.Now, events: map[string][]time.Time{}}
}

// Check reports whether an event for key would be allowed now, without
// recording one: for limits that count only failures.
func (l *Limiter) Check(key string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var live []time.Time
	for _, t := range l.events[key] {
		if now.Sub(t) < l.window {
			live = append(live, t)
		}
	}
	if len(live) >= l.burst {
		return false, l.window - now.Sub(live[0])
	}
	return true, 0
}

// Allow records an event for key and reports whether it is within the
// limit; when it is not, retry says when the oldest counted event leaves
// the window.
func (l *Limiter) Allow(key string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > l.window {
		for k, ts := range l.events {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) > l.window {
				delete(l.events, k)
			}
		}
		l.swept = now
	}
	ts := l.events[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.burst {
		l.events[key] = ts
		return false, l.window - now.Sub(ts[0])
	}
	l.events[key] = append(ts, now)
	return true, 0
}
