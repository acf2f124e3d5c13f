package api

import (
	"container/list"
	"sync"
)

// byteLRU is a map bounded by the bytes its values are charged, least
// recently used out first, safe for concurrent use: the feed cache and
// the agenda cache are both one, so that nothing a client asks for can
// grow the process beyond their budgets.
type byteLRU[K comparable, V any] struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	order   list.List // of *lruEntry[K, V], most recently used first
	entries map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key   K
	value V
	size  int64
}

func newByteLRU[K comparable, V any](budget int64) *byteLRU[K, V] {
	return &byteLRU[K, V]{budget: budget, entries: map[K]*list.Element{}}
}

// get returns k's value, marked recently used, if keep accepts it (nil
// keeps every value); a value keep refuses is dropped.
func (c *byteLRU[K, V]) get(k K, keep func(V) bool) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		var zero V
		return zero, false
	}
	e := el.Value.(*lruEntry[K, V])
	if keep != nil && !keep(e.value) {
		c.remove(el)
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// put stores a value charged size bytes, evicting the least recently
// used until it fits; one larger than the whole budget is not kept.
func (c *byteLRU[K, V]) put(k K, v V, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		c.remove(el)
	}
	if size > c.budget {
		return
	}
	for c.used+size > c.budget {
		c.remove(c.order.Back())
	}
	c.entries[k] = c.order.PushFront(&lruEntry[K, V]{key: k, value: v, size: size})
	c.used += size
}

func (c *byteLRU[K, V]) remove(el *list.Element) {
	e := c.order.Remove(el).(*lruEntry[K, V])
	delete(c.entries, e.key)
	c.used -= e.size
}

// bytes is what the map holds now (for tests and metrics).
func (c *byteLRU[K, V]) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
