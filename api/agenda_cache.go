package api

import (
	"sync/atomic"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/prometheus/client_golang/prometheus"
)

// agendaMaxAge bounds how long a cached agenda is served even though
// nothing was written: a few rules move with the clock alone (a required
// participant's silence enters the chase window, a subscription goes
// stale, a series reaches further as the expansion horizon advances), so
// an answer may lag the clock by at most this much, never a write.
const agendaMaxAge = time.Minute

// agendaKey is everything an agenda answer depends on besides the data:
// the whole actor (role, organisation, token and person — what the
// visibility function, the masking and the reply items read, so two
// viewers never share an answer) and the request's window and filters as
// sent (the window with its offset); paged with the page asked for.
type agendaKey struct {
	actor                        models.Actor
	from, to                     string
	organization, severity, rule string
	hideAccepted                 bool
	paged                        bool
	limit                        int
	cursor                       string
}

// agendaAnswer is one computed agenda, encoded.
type agendaAnswer struct {
	// version is the store's DataVersion read before the computation: the
	// answer is served only while the database still has it.
	version string
	expires time.Time
	etag    string
	body    []byte // JSON
	gz      []byte // the same, gzip-compressed
}

// size is what the answer is charged against the cache's budget.
func (a *agendaAnswer) size(k agendaKey) int64 {
	const overhead = 256 // list element, map entry, struct headers
	return int64(len(a.body) + len(a.gz) + len(a.version) + len(a.etag) + len(k.from) + len(k.to) + len(k.organization) + len(k.severity) + len(k.rule) + len(k.cursor) + len(k.actor.Name) + overhead)
}

// agendaCache keeps computed agendas, least recently used first out,
// within a budget of bytes, so that no number of viewers and windows can
// grow the process beyond it.
type agendaCache struct {
	// served and computed count the answers given from the cache and
	// those computed (jointcal_agenda_answers_total by source).
	served   atomic.Int64
	computed atomic.Int64
	lru      *byteLRU[agendaKey, *agendaAnswer]
}

func newAgendaCache(budget int64) *agendaCache {
	return &agendaCache{lru: newByteLRU[agendaKey, *agendaAnswer](budget)}
}

// get returns the answer for k if it was computed at the database's
// current version and has not expired; an outdated one is dropped.
func (ac *agendaCache) get(k agendaKey, version string, now time.Time) (*agendaAnswer, bool) {
	a, ok := ac.lru.get(k, func(a *agendaAnswer) bool { return a.version == version && now.Before(a.expires) })
	if ok {
		ac.served.Add(1)
	}
	return a, ok
}

// put stores an answer (see byteLRU.put).
func (ac *agendaCache) put(k agendaKey, a *agendaAnswer) { ac.lru.put(k, a, a.size(k)) }

// bytes is what the cache holds now (for metrics).
func (ac *agendaCache) bytes() int64 { return ac.lru.bytes() }

// registerAgendaMetrics exposes the agenda cache's size and how many
// answers it served against how many were computed.
func (s *Server) registerAgendaMetrics() {
	answers := func(source string, n *atomic.Int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jointcal_agenda_answers_total", Help: "Conflicts agenda answers, served from the cache or computed.", ConstLabels: prometheus.Labels{"source": source}},
			func() float64 { return float64(n.Load()) })
	}
	s.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jointcal_agenda_cache_bytes", Help: "Bytes held by the conflicts agenda's cache (bounded by JOINTCAL_AGENDA_CACHE_BYTES)."},
			func() float64 { return float64(s.agendaCache.bytes()) }),
		answers("cache", &s.agendaCache.served),
		answers("computed", &s.agendaCache.computed),
	)
}
