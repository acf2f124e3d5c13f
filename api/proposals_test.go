package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestProposalFlow: an EU planner inviting NATO's council proposes; the
// lead cannot confirm alone; the slot is a soft clash for others; NATO
// sees it in its queue, counters, EU agrees, and it is confirmed.
func TestProposalFlow(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		created := e.expect(e.do("POST", "/api/v1/activities", "eu_planner",
			meeting("EU", "NAC–PSC informal", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00", body("PSC"), body("NAC"))), 201).json(t)
		if created["status"] != "proposed" {
			t.Fatalf("status %v, want proposed", created["status"])
		}
		id := int64(created["id"].(float64))
		path := fmt.Sprintf("/api/v1/activities/%d", id)

		lone := e.expect(e.do("PATCH", path, "eu_planner", map[string]any{"status": "confirmed"}), 409).json(t)
		if lone["type"] != "urn:jointcal:problem:proposal-pending" || !strings.Contains(lone["detail"].(string), "awaits NATO") {
			t.Fatalf("lead confirming alone: %v", lone)
		}
		// NATO books its council over the proposal: a warning, not a refusal.
		clash := e.expect(e.do("POST", "/api/v1/activities", "nato_planner",
			meeting("NATO", "NAC weekly", "2031-03-10T11:00:00+01:00", "2031-03-10T13:00:00+01:00", body("NAC"))), 201).json(t)
		warnings := clash["warnings"].([]any)
		if len(warnings) != 1 || !strings.Contains(string(mustJSON(t, warnings[0])), `"note":"proposed by EU, awaiting NATO"`) {
			t.Fatalf("warnings %v", warnings)
		}
		e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/activities/%d", int64(clash["id"].(float64))), "nato_planner", nil), 204)

		if n := e.count("/api/v1/proposals?awaiting=NATO", "nato_planner"); n != 1 {
			t.Fatalf("NATO's queue holds %d", n)
		}
		if n := e.count("/api/v1/proposals?awaiting=EU", "eu_planner"); n != 0 {
			t.Fatalf("EU's queue holds %d", n)
		}
		e.expect(e.do("GET", "/api/v1/proposals?state=pending", "nato_planner", nil), 422)
		e.expect(e.do("POST", path+"/agree", "nato_viewer", nil), 403)
		e.expect(e.do("POST", path+"/decline", "nato_planner", map[string]any{"reason": ""}), 422)

		countered := e.expect(e.do("POST", path+"/counter", "nato_planner",
			map[string]any{"start": "2031-03-11T10:00:00+01:00", "end": "2031-03-11T12:00:00+01:00", "reason": "the council meets on the 10th"}), 200).json(t)
		if fmt.Sprint(countered["awaiting"]) != "[EU]" || countered["round"] != float64(2) {
			t.Fatalf("after the counter: %v", countered)
		}
		if n := e.count("/api/v1/proposals?awaiting=EU", "eu_planner"); n != 1 {
			t.Fatalf("the counter did not reach EU's queue (%d)", n)
		}
		agreed := e.expect(e.do("POST", path+"/agree", "eu_planner", nil), 200).json(t)
		if agreed["state"] != "agreed" || agreed["activity"].(map[string]any)["status"] != "confirmed" {
			t.Fatalf("after EU agreed: %v", agreed)
		}
		got := e.expect(e.do("GET", path+"/proposal", "nato_viewer", nil), 200).json(t)
		if got["state"] != "agreed" {
			t.Fatalf("GET proposal: %v", got)
		}
		e.expect(e.do("POST", path+"/agree", "nato_planner", nil), 409)
		// Each step was mailed to the other side: proposed, countered and
		// agreed-and-confirmed; then every participant is invited.
		outbox := e.expect(e.do("GET", fmt.Sprintf("/api/v1/reminders?activity=%d", id), "admin", nil), 200)
		for _, want := range []string{`"recipient_email":"coop@nato.example"`, `"recipient_email":"coop@eeas.example"`, `"kind":"proposal"`, `"kind":"invitation"`} {
			if !strings.Contains(string(outbox.Body), want) {
				t.Fatalf("outbox lacks %s: %s", want, outbox.Body)
			}
		}

		// An activity of EU alone was never a proposal.
		own := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner",
			meeting("EU", "PSC", "2031-03-12T10:00:00+01:00", "2031-03-12T12:00:00+01:00", body("PSC"))), 201))
		np := e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d/proposal", own), "eu_planner", nil), 409).json(t)
		if np["type"] != "urn:jointcal:problem:not-proposed" {
			t.Fatalf("not proposed: %v", np)
		}
	})
}

// TestProposalVisibility: an EU-restricted proposal involving NATO's
// person is absent from NATO's queue and unanswerable (404) by NATO.
func TestProposalVisibility(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := meeting("EU", "EU-only sounding", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00", person("ben@nato.example", true))
		m["visibility"] = []string{"EU"}
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201))
		for _, path := range []string{"/api/v1/proposals?awaiting=NATO", "/api/v1/proposals"} {
			r := e.expect(e.do("GET", path, "nato_planner", nil), 200)
			if strings.Contains(string(r.Body), "sounding") || r.json(t)["total"] != float64(0) {
				t.Fatalf("%s leaks: %s", path, r.Body)
			}
		}
		for _, step := range []string{"agree", "proposal"} {
			method := map[string]string{"agree": "POST", "proposal": "GET"}[step]
			r := e.expect(e.do(method, fmt.Sprintf("/api/v1/activities/%d/%s", id, step), "nato_planner", nil), 404)
			if strings.Contains(string(r.Body), "sounding") {
				t.Fatalf("404 leaks: %s", r.Body)
			}
		}
		// The admin decides.
		decided := e.expect(e.do("POST", fmt.Sprintf("/api/v1/activities/%d/agree", id), "admin", nil), 200).json(t)
		if decided["state"] != "agreed" {
			t.Fatalf("admin decision: %v", decided)
		}
	})
}
