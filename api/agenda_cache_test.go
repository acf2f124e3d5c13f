package api

import (
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
)

// TestAgendaCacheBoundsAndValidity: the cache never holds more than its
// budget (least recently used out first, an answer larger than the budget
// not kept), and an answer is given only at the version it was computed
// at and before it expires.
func TestAgendaCacheBoundsAndValidity(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	answer := func(version string, n int) *agendaAnswer {
		return &agendaAnswer{version: version, expires: now.Add(agendaMaxAge), etag: `"e"`, body: make([]byte, n)}
	}
	key := func(from string) agendaKey {
		return agendaKey{actor: models.Actor{Role: models.RolePlanner, OrganizationID: 1}, from: from, to: "z"}
	}
	one := answer("v1", 1000)
	budget := 2*one.size(key("a")) + 10
	cases := []struct {
		name    string
		run     func(ac *agendaCache)
		present []string // keys (from) that must be served at v1, now
		absent  []string
	}{
		{"two fit", func(ac *agendaCache) { ac.put(key("a"), answer("v1", 1000)); ac.put(key("b"), answer("v1", 1000)) }, []string{"a", "b"}, nil},
		{"a third evicts the least recently used", func(ac *agendaCache) {
			ac.put(key("a"), answer("v1", 1000))
			ac.put(key("b"), answer("v1", 1000))
			ac.get(key("a"), "v1", now)
			ac.put(key("c"), answer("v1", 1000))
		}, []string{"a", "c"}, []string{"b"}},
		{"larger than the budget is not kept", func(ac *agendaCache) { ac.put(key("a"), answer("v1", int(budget))) }, nil, []string{"a"}},
		{"another version is not served", func(ac *agendaCache) { ac.put(key("a"), answer("v0", 1000)) }, nil, []string{"a"}},
		{"an expired answer is not served", func(ac *agendaCache) {
			a := answer("v1", 1000)
			a.expires = now
			ac.put(key("a"), a)
		}, nil, []string{"a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ac := newAgendaCache(budget)
			tc.run(ac)
			if ac.bytes() > budget {
				t.Fatalf("holds %d bytes, budget %d", ac.bytes(), budget)
			}
			for _, k := range tc.present {
				if _, ok := ac.get(key(k), "v1", now); !ok {
					t.Errorf("%s not served", k)
				}
			}
			for _, k := range tc.absent {
				if _, ok := ac.get(key(k), "v1", now); ok {
					t.Errorf("%s served", k)
				}
			}
			if len(tc.absent) > 0 && len(tc.present) == 0 && ac.bytes() != 0 {
				t.Errorf("an answer not served still holds %d bytes", ac.bytes())
			}
		})
	}
}
