package api_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConflictAgenda: the deconfliction agenda lists each clash once,
// names both sides with their spans, and never sets an exercise against
// its own phase.
func TestConflictAgenda(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		org := func(code string) map[string]any { return map[string]any{"type": "organization", "id_or_code": code} }
		exercise := func(lead, title, kind, start, end string, parent int64, parts ...map[string]any) int64 {
			m := meeting(lead, title, start, end, parts...)
			m["kind"] = kind
			if parent != 0 {
				m["parent"] = parent
			}
			return idOf(t, e.expect(e.do("POST", "/api/v1/activities", "admin", m), 201))
		}
		euEx := exercise("EU", "EU Integrated Resolve", "exercise", "2031-06-02T08:00:00+02:00", "2031-06-20T18:00:00+02:00", 0, org("NATO"))
		exercise("EU", "EU IR conduct", "exercise_phase", "2031-06-09T08:00:00+02:00", "2031-06-13T18:00:00+02:00", euEx, org("NATO"))
		exercise("NATO", "CMX", "exercise", "2031-06-16T08:00:00+02:00", "2031-06-27T18:00:00+02:00", 0, org("EU"))
		m1 := meeting("NATO", "NAC", "2031-06-03T10:00:00+02:00", "2031-06-03T12:00:00+02:00", person("ben@nato.example", true))
		m2 := meeting("EU", "Briefing", "2031-06-03T11:00:00+02:00", "2031-06-03T13:00:00+02:00", person("ben@nato.example", false))
		e.expect(e.do("POST", "/api/v1/activities", "admin", m1), 201)
		e.expect(e.do("POST", "/api/v1/activities", "admin", m2), 201)

		r := e.expect(e.do("GET", "/api/v1/conflicts?from=2031-06-01T00:00:00Z&to=2031-07-01T00:00:00Z&severity=soft", "admin", nil), 200)
		var agenda struct {
			Items []struct {
				Rule     string `json:"rule"`
				Activity struct {
					ID    int64  `json:"id"`
					Title string `json:"title"`
				} `json:"activity"`
				Occurrence struct{ Start, End string } `json:"occurrence"`
				Other      struct {
					ActivityID int64  `json:"activity_id"`
					Title      string `json:"title"`
					Start, End string
				} `json:"other"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal(r.Body, &agenda); err != nil {
			t.Fatal(err)
		}
		var pairs []string
		for _, it := range agenda.Items {
			if it.Occurrence.Start == "" || it.Other.Start == "" || it.Other.Title == "" {
				t.Fatalf("a side lacks its span or title: %+v", it)
			}
			sides := []string{it.Activity.Title, it.Other.Title}
			sort.Strings(sides)
			pairs = append(pairs, it.Rule+": "+strings.Join(sides, " / "))
		}
		sort.Strings(pairs)
		want := []string{
			"optional_participant_busy: Briefing / NAC",
			"planning_overlap: CMX / EU Integrated Resolve",
		}
		if strings.Join(pairs, "\n") != strings.Join(want, "\n") || agenda.Total != len(want) {
			t.Fatalf("agenda:\n %s\nwant\n %s\n%s", strings.Join(pairs, "\n "), strings.Join(want, "\n "), r.Body)
		}
	})
}
