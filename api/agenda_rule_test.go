package api_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConflictAgendaByRule: the agenda's rule parameter keeps the clashes
// of that rule alone, whole or paged (and an answer without it is not
// served for it from the cache); an unknown rule is a 422 problem naming
// rule; the document offers the rules the store filters by.
func TestConflictAgendaByRule(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		org := func(code string) map[string]any { return map[string]any{"type": "organization", "id_or_code": code} }
		for _, m := range []map[string]any{
			meeting("EU", "EU Integrated Resolve", "2031-06-02T08:00:00+02:00", "2031-06-20T18:00:00+02:00", org("NATO")),
			meeting("NATO", "CMX", "2031-06-16T08:00:00+02:00", "2031-06-27T18:00:00+02:00", org("EU")),
		} {
			m["kind"] = "exercise"
			e.expect(e.do("POST", "/api/v1/activities", "admin", m), 201)
		}
		e.expect(e.do("POST", "/api/v1/activities", "admin", meeting("NATO", "NAC", "2031-06-03T10:00:00+02:00", "2031-06-03T12:00:00+02:00", person("ben@nato.example", true))), 201)
		e.expect(e.do("POST", "/api/v1/activities", "admin", meeting("EU", "Briefing", "2031-06-03T11:00:00+02:00", "2031-06-03T13:00:00+02:00", person("ben@nato.example", false))), 201)

		const window = "/api/v1/conflicts?from=2031-06-01T00:00:00Z&to=2031-07-01T00:00:00Z"
		rulesOf := func(query string) []string {
			t.Helper()
			r := e.expect(e.do("GET", window+query, "admin", nil), 200)
			var agenda struct {
				Items []struct {
					Rule string `json:"rule"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.Body, &agenda); err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, it := range agenda.Items {
				rules = append(rules, it.Rule)
			}
			return rules
		}
		all := rulesOf("")
		for _, rule := range []string{"planning_overlap", "optional_participant_busy"} {
			if !slices.Contains(all, rule) {
				t.Fatalf("the unfiltered agenda lacks a %s clash: %v", rule, all)
			}
		}
		for _, tc := range []struct{ name, query, rule string }{
			{"whole", "&rule=planning_overlap", "planning_overlap"},
			{"whole, another rule", "&rule=optional_participant_busy", "optional_participant_busy"},
			{"paged", "&rule=planning_overlap&limit=10", "planning_overlap"},
		} {
			got := rulesOf(tc.query)
			if len(got) == 0 || len(got) >= len(all) {
				t.Errorf("%s: %d items of %d unfiltered: %v", tc.name, len(got), len(all), got)
			}
			for _, r := range got {
				if r != tc.rule {
					t.Errorf("%s: a %s item under rule=%s", tc.name, r, tc.rule)
				}
			}
		}

		r := e.expect(e.do("GET", window+"&rule=double_booking", "admin", nil), 422)
		if kind, fields := problemOf(t, r); kind != "urn:jointcal:problem:validation-error" || !slices.Contains(fields, "rule") {
			t.Errorf("unknown rule: %s naming %v, want a validation error naming rule", kind, fields)
		}
	})

	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, p := range c.doc.Paths.Find("/api/v1/conflicts").Get.Parameters {
		if p.Value.Name == "rule" {
			for _, v := range p.Value.Schema.Value.Enum {
				documented = append(documented, v.(string))
			}
		}
	}
	if want := models.ConflictRules(); !slices.Equal(slices.Sorted(slices.Values(documented)), slices.Sorted(slices.Values(want))) {
		t.Errorf("the document's rules %v, the store's %v", documented, want)
	}
}
