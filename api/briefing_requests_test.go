package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestBriefingRequestFlow: an EU briefer asks to brief NATO's council;
// NATO's planner is offered slots where both are free and schedules one,
// which books a cross_briefing with both sides; the others are declined
// or withdrawn, and the counts say so.
func TestBriefingRequestFlow(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		// The council sits on Monday morning; Chloé is busy on Monday afternoon.
		e.expect(e.do("POST", "/api/v1/activities", "nato_planner", meeting("NATO", "NAC", "2031-03-10T09:00:00+01:00", "2031-03-10T13:00:00+01:00", body("NAC"))), 201)
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "EU staff talks", "2031-03-10T13:00:00+01:00", "2031-03-10T16:30:00+01:00", person("chloe@eeas.example", true))), 201)

		req := map[string]any{"briefer": "chloe@eeas.example", "body": "NAC", "topic": "Hybrid threats: the EU toolbox", "area": "hybrid_threats",
			"from": "2031-03-10T00:00:00+01:00", "to": "2031-03-15T00:00:00+01:00", "duration": "PT1H"}
		e.expect(e.do("POST", "/api/v1/briefing-requests", "nato_planner", req), 403)
		own := map[string]any{"briefer": "chloe@eeas.example", "body": "PSC", "topic": "x", "from": "2031-03-10T00:00:00+01:00", "to": "2031-03-15T00:00:00+01:00", "duration": "PT1H"}
		e.expect(e.do("POST", "/api/v1/briefing-requests", "eu_planner", own), 422)
		created := e.expect(e.do("POST", "/api/v1/briefing-requests", "eu_planner", req), 201).json(t)
		if created["state"] != "requested" || created["host_organization"] != "NATO" || created["briefer_organization"] != "EU" {
			t.Fatalf("created: %v", created)
		}
		path := fmt.Sprintf("/api/v1/briefing-requests/%d", int64(created["id"].(float64)))
		e.expect(e.do("GET", path, "viewer", nil), 404)
		e.expect(e.do("GET", path, "nato_viewer", nil), 200)
		e.expect(e.do("GET", path+"/slots", "eu_planner", nil), 403)

		slots := e.expect(e.do("GET", path+"/slots", "nato_planner", nil), 200).json(t)["items"].([]any)
		first := slots[0].(map[string]any)
		if len(slots) != 5 || first["start"] != "2031-03-10T16:30:00+01:00" {
			t.Fatalf("slots: %v", slots)
		}
		if st := e.expect(e.do("GET", path, "eu_planner", nil), 200).json(t)["state"]; st != "offered" {
			t.Fatalf("after the slots: %v", st)
		}
		// Booked over the council's meeting: refused like any booking.
		e.expect(e.do("POST", path+"/schedule", "nato_planner", map[string]any{"start": "2031-03-10T10:00:00+01:00"}), 409)
		e.expect(e.do("POST", path+"/schedule", "nato_planner", map[string]any{"start": "2031-03-20T10:00:00+01:00"}), 422)
		done := e.expect(e.do("POST", path+"/schedule", "nato_planner", map[string]any{"start": first["start"]}), 200).json(t)
		if done["state"] != "scheduled" || done["activity"] == nil {
			t.Fatalf("scheduled: %v", done)
		}
		act := e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d", int64(done["activity"].(float64))), "eu_viewer", nil), 200).json(t)
		parts := fmt.Sprint(act["participants"])
		if act["kind"] != "cross_briefing" || act["status"] != "confirmed" || act["lead_organization"] != "NATO" || !strings.Contains(parts, "role:briefer") || !strings.Contains(parts, "role:audience") {
			t.Fatalf("booked activity: %v", act)
		}
		e.expect(e.do("POST", path+"/withdraw", "eu_planner", nil), 409)

		second := e.expect(e.do("POST", "/api/v1/briefing-requests", "eu_planner", req), 201).json(t)
		p2 := fmt.Sprintf("/api/v1/briefing-requests/%d", int64(second["id"].(float64)))
		e.expect(e.do("POST", p2+"/decline", "nato_planner", map[string]any{"reason": ""}), 422)
		if d := e.expect(e.do("POST", p2+"/decline", "nato_planner", map[string]any{"reason": "covered last month"}), 200).json(t); d["state"] != "declined" {
			t.Fatalf("declined: %v", d)
		}
		third := e.expect(e.do("POST", "/api/v1/briefing-requests", "eu_planner", map[string]any{"briefer": "chloe@eeas.example", "body": "NAC", "topic": "Cyber", "area": "cyber",
			"from": "2032-01-05T00:00:00+01:00", "to": "2032-01-30T00:00:00+01:00", "duration": "PT2H"}), 201).json(t)
		e.expect(e.do("POST", fmt.Sprintf("/api/v1/briefing-requests/%d/withdraw", int64(third["id"].(float64))), "nato_planner", nil), 403)
		e.expect(e.do("POST", fmt.Sprintf("/api/v1/briefing-requests/%d/withdraw", int64(third["id"].(float64))), "eu_planner", nil), 200)

		if n := e.count("/api/v1/briefing-requests?state=scheduled&body=NAC&area=hybrid_threats", "nato_planner"); n != 1 {
			t.Fatalf("filtered list: %d", n)
		}
		if n := e.count("/api/v1/briefing-requests", "viewer"); n != 0 {
			t.Fatalf("an unbound viewer sees %d", n)
		}
		byYear := e.expect(e.do("GET", "/api/v1/briefing-requests/counts?group_by=year", "eu_viewer", nil), 200).json(t)
		if got := fmt.Sprint(byYear["items"]); got != "[map[by_state:map[declined:1 scheduled:1] key:2031 total:2] map[by_state:map[withdrawn:1] key:2032 total:1]]" {
			t.Fatalf("per year: %s", got)
		}
		byArea := e.expect(e.do("GET", "/api/v1/briefing-requests/counts?group_by=area", "admin", nil), 200).json(t)
		if got := fmt.Sprint(byArea["items"]); !strings.Contains(got, "key:cyber total:1") || !strings.Contains(got, "key:hybrid_threats total:2") {
			t.Fatalf("per area: %s", got)
		}
		e.expect(e.do("GET", "/api/v1/briefing-requests/counts?group_by=body", "admin", nil), 422)
	})
}
