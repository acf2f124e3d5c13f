package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

func conflictRules(t *testing.T, m map[string]any, key string) []string {
	t.Helper()
	var rules []string
	items, _ := m[key].([]any)
	for _, it := range items {
		rules = append(rules, it.(map[string]any)["rule"].(string))
	}
	return rules
}

func TestBookingConflicts(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		first := meeting("NATO", "NAC meeting", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00", body("NAC"), person("ben@nato.example", true))
		first["venue"] = "NATO-HQ"
		firstID := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "nato_planner", first), 201))

		// The check endpoint reports without writing.
		clash := meeting("EU", "PSC meeting in the same room", "2031-03-10T11:00:00+01:00", "2031-03-10T13:00:00+01:00", body("PSC"))
		clash["venue"] = "NATO-HQ"
		rep := e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_planner", clash), 200).json(t)
		if got := conflictRules(t, rep, "conflicts"); fmt.Sprint(got) != "[venue_double_booked]" {
			t.Fatalf("check conflicts = %v: %v", got, rep)
		}
		c := rep["conflicts"].([]any)[0].(map[string]any)
		if c["resource"].(map[string]any)["code"] != "NATO-HQ" || c["other"].(map[string]any)["activity_id"] != float64(firstID) ||
			c["overlap"].(map[string]any)["start"] != "2031-03-10T11:00:00+01:00" || c["overlap"].(map[string]any)["end"] != "2031-03-10T12:00:00+01:00" {
			t.Fatalf("conflict item: %v", c)
		}
		if n := e.count("/api/v1/activities", "admin"); n != 1 {
			t.Fatalf("check wrote something: %d activities", n)
		}
		// Create runs the same check: 409 with the conflicts, nothing written.
		r := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", clash), 409).json(t)
		if fmt.Sprint(conflictRules(t, r, "conflicts")) != "[venue_double_booked]" {
			t.Fatalf("409 body: %v", r)
		}
		if n := e.count("/api/v1/activities", "admin"); n != 1 {
			t.Fatalf("refused booking was written")
		}
		// Touching intervals do not overlap.
		after := meeting("EU", "Right after", "2031-03-10T12:00:00+01:00", "2031-03-10T13:00:00+01:00", body("PSC"))
		after["venue"] = "NATO-HQ"
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", after), 201)
		// An optional participant's clash is only a warning.
		optional := meeting("EU", "Briefing with Ben optional", "2031-03-10T11:30:00+01:00", "2031-03-10T11:45:00+01:00", person("ben@nato.example", false))
		w := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", optional), 201).json(t)
		if fmt.Sprint(conflictRules(t, w, "warnings")) != "[optional_participant_busy]" {
			t.Fatalf("warnings: %v", w["warnings"])
		}
		// A virtual venue never conflicts.
		v1 := meeting("EU", "VTC one", "2031-04-01T10:00:00+02:00", "2031-04-01T11:00:00+02:00")
		v1["venue"] = "VTC"
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", v1), 201)
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", v1), 201)
		// Override: written, audited with its reason, conflicts reported.
		clash["override_reason"] = "Room split in two by facilities"
		o := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", clash), 201).json(t)
		// It now also clashes with "Right after" (PSC and the room, 12:00-13:00).
		if fmt.Sprint(conflictRules(t, o, "overridden_conflicts")) != "[body_double_booked venue_double_booked venue_double_booked]" {
			t.Fatalf("override answer: %v", o)
		}
		audit := e.expect(e.do("GET", "/api/v1/audit?entity=activity&entity_id="+fmt.Sprint(int64(o["id"].(float64))), "admin", nil), 200)
		if !strings.Contains(string(audit.Body), `"action":"override"`) || !strings.Contains(string(audit.Body), "Room split in two by facilities") {
			t.Fatalf("override not audited: %s", audit.Body)
		}
		// Cancelling frees the resources: a cancelled activity never conflicts.
		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", firstID), "nato_planner", map[string]any{"status": "cancelled"}), 200)
		again := meeting("NATO", "NAC meeting, rebooked", "2031-03-10T10:00:00+01:00", "2031-03-10T11:00:00+01:00", body("NAC"), person("ben@nato.example", true))
		again["venue"] = "NATO-HQ"
		rep = e.expect(e.do("POST", "/api/v1/conflicts/check", "nato_planner", again), 200).json(t)
		if len(conflictRules(t, rep, "conflicts"))+len(conflictRules(t, rep, "warnings")) != 0 {
			t.Fatalf("cancelled activity still conflicts: %v", rep)
		}
	})
}

// TestRestrictedConflictRevealsNothing: a clash with an activity the
// caller may not see says only that the slot is busy.
func TestRestrictedConflictRevealsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	secret := meeting("EU", "EU-only strategy session", "2031-05-05T10:00:00+02:00", "2031-05-05T11:00:00+02:00", person("chloe@eeas.example", true))
	secret["visibility"] = []string{"EU"}
	secretID := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201))
	probe := meeting("NATO", "Invite Chloé", "2031-05-05T10:30:00+02:00", "2031-05-05T11:30:00+02:00", person("chloe@eeas.example", true))
	r := e.expect(e.do("POST", "/api/v1/activities", "nato_planner", probe), 409)
	body := string(r.Body)
	if strings.Contains(body, "strategy") || strings.Contains(body, fmt.Sprintf(`"activity_id":%d`, secretID)) || !strings.Contains(body, `"other":{"restricted":true}`) {
		t.Fatalf("restricted conflict leaks: %s", body)
	}
	if !strings.Contains(body, `"code":"chloe@eeas.example"`) || !strings.Contains(body, `"overlap":{"start":"2031-05-05T10:30:00+02:00","end":"2031-05-05T11:00:00+02:00"}`) {
		t.Fatalf("restricted conflict lacks resource or span: %s", body)
	}
	// The EU sees the same clash in full.
	rep := e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_viewer", probe), 200)
	if !strings.Contains(string(rep.Body), "EU-only strategy session") {
		t.Fatalf("EU check hides its own activity: %s", rep.Body)
	}
}

// TestConcurrentDoubleBooking fires 100 simultaneous bookings of the same
// committee at the same hour: exactly one may be written, on each database.
func TestConcurrentDoubleBooking(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		const n = 100
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				m := meeting("EU", fmt.Sprintf("PSC booking %d", i), "2031-09-09T10:00:00+02:00", "2031-09-09T12:00:00+02:00", body("PSC"))
				statuses[i] = e.do("POST", "/api/v1/activities", "eu_planner", m).Status
			}(i)
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			switch st {
			case 201:
				created++
			case 409:
			default:
				t.Fatalf("unexpected status %d among %v", st, statuses)
			}
		}
		if created != 1 {
			t.Fatalf("%d concurrent conflicting bookings succeeded, want exactly 1", created)
		}
		if got := e.count("/api/v1/activities?body=PSC", "admin"); got != 1 {
			t.Fatalf("%d PSC bookings stored, want 1", got)
		}
	})
}
