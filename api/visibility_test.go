package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestVisibilityMatrix checks every role and organisation against an
// EU-restricted activity on every endpoint that reads or writes it: to
// those outside EU it does not exist (404, absent from lists and counts).
func TestVisibilityMatrix(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		restricted := meeting("EU", "EU-only preparatory meeting", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00", person("ana@eeas.example", true))
		restricted["visibility"] = []string{"EU"}
		rid := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", restricted), 201))
		open := meeting("NATO", "Open NAC briefing", "2031-06-02T09:00:00+02:00", "2031-06-02T10:00:00+02:00", body("NAC"))
		e.expect(e.do("POST", "/api/v1/activities", "nato_planner", open), 201)

		sees := map[string]bool{"admin": true, "eu_planner": true, "eu_viewer": true, "nato_planner": false, "nato_viewer": false, "viewer": false}
		path := fmt.Sprintf("/api/v1/activities/%d", rid)
		for who, visible := range sees {
			t.Run(who, func(t *testing.T) {
				get := e.do("GET", path, who, nil)
				list := e.expect(e.do("GET", "/api/v1/activities", who, nil), 200)
				search := e.expect(e.do("GET", "/api/v1/activities?q=preparatory", who, nil), 200).json(t)
				byPerson := e.expect(e.do("GET", "/api/v1/activities?person=ana@eeas.example", who, nil), 200).json(t)
				total := int(list.json(t)["total"].(float64))
				listed := strings.Contains(string(list.Body), "EU-only preparatory meeting")
				if visible {
					e.expect(get, 200)
					if total != 2 || !listed || search["total"] != float64(1) || byPerson["total"] != float64(1) {
						t.Fatalf("%s should see it: total=%d listed=%v search=%v", who, total, listed, search["total"])
					}
				} else {
					e.expect(get, 404)
					if total != 1 || listed || search["total"] != float64(0) || byPerson["total"] != float64(0) {
						t.Fatalf("%s must not see it: total=%d listed=%v search=%v", who, total, listed, search["total"])
					}
					if strings.Contains(string(get.Body), "preparatory") {
						t.Fatalf("404 leaks the title: %s", get.Body)
					}
				}
				// Writing: only the lead organisation's planners and admins;
				// outsiders get 404 (not 403) so existence is not revealed.
				patch := e.do("PATCH", path, who, map[string]any{"description": "edited by " + who})
				switch who {
				case "admin", "eu_planner":
					e.expect(patch, 200)
				case "eu_viewer":
					e.expect(patch, 403)
				default:
					e.expect(patch, 404)
				}
				check := e.do("POST", "/api/v1/conflicts/check", who, map[string]any{"activity": rid, "changes": map[string]any{"title": "x"}})
				if visible {
					e.expect(check, 200)
				} else {
					e.expect(check, 404)
				}
			})
		}
		// The lead organisation must stay among those who may see it.
		bad := meeting("EU", "Hidden from its own lead", "2031-06-03T09:00:00+02:00", "2031-06-03T10:00:00+02:00")
		bad["visibility"] = []string{"NATO"}
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", bad), 422)
	})
}

func TestActivityListFilters(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		weekly := meeting("EU", "EADRCC–ERCC call", "2031-01-07T10:00:00+01:00", "2031-01-07T10:30:00+01:00", body("PSC"))
		weekly["rrule"] = "FREQ=WEEKLY;INTERVAL=2;COUNT=10"
		weekly["kind"] = "staff_talks"
		weekly["areas"] = []string{"hybrid_threats"}
		weekly["series"] = "EADRCC–ERCC"
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", weekly), 201)
		ex := meeting("NATO", "Cyber Coalition 2031", "2031-11-16T00:00:00+01:00", "2031-11-21T00:00:00+01:00", body("NAC"))
		ex["kind"], ex["all_day"], ex["venue"] = "exercise", true, "NATO-HQ"
		e.expect(e.do("POST", "/api/v1/activities", "nato_planner", ex), 201)
		for _, c := range []struct {
			query string
			want  int
		}{
			{"", 2},
			// The 5th occurrence of the call (3 March) lies in this window,
			// though the first one does not.
			{"from=2031-03-01T00:00:00Z&to=2031-03-05T00:00:00Z", 1},
			{"from=2031-06-01T00:00:00Z&to=2031-07-01T00:00:00Z", 0},
			{"from=2031-11-20T00:00:00Z&to=2031-11-20T12:00:00Z", 1},
			{"kind=exercise", 1},
			{"organization=NATO", 1},
			{"organization=EU", 1},
			{"body=PSC", 1},
			{"venue=NATO-HQ", 1},
			{"area=hybrid_threats", 1},
			{"series=EADRCC%E2%80%93ERCC", 1},
			{"status=cancelled", 0},
			{"q=coalition", 1},
			{"organization=NOPE", 0},
		} {
			if n := e.count("/api/v1/activities?"+c.query, "viewer"); n != c.want {
				t.Errorf("?%s: %d activities, want %d", c.query, n, c.want)
			}
		}
		e.expect(e.do("GET", "/api/v1/activities?from=yesterday", "viewer", nil), 400)
		e.expect(e.do("GET", "/api/v1/activities?from=2031-03-01T00:00:00Z&to=2031-02-01T00:00:00Z", "viewer", nil), 400)
	})
}
