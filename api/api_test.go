package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	e.expect(e.do("GET", "/healthz", "", nil), 200)
	r := e.expect(e.do("GET", "/readyz", "", nil), 200)
	if r.json(t)["database"] != "sqlite" {
		t.Fatalf("readyz: %s", r.Body)
	}
	e.expect(e.do("GET", "/api/v1/organizations", "admin", nil), 200)
	m := e.expect(e.do("GET", "/metrics", "", nil), 200)
	if !strings.Contains(string(m.Body), `jointcal_http_requests_total{method="GET",route="/api/v1/organizations",status="200"} 1`) {
		t.Fatalf("metrics lack the request counter:\n%s", m.Body)
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-ID on answers")
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	cases := []struct {
		name, header string
	}{
		{"none", ""},
		{"wrong scheme", "Basic " + e.tokens["admin"]},
		{"unknown token", "Bearer jc_" + strings.Repeat("A", 43)},
		{"empty bearer", "Bearer "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/activities", "", nil, "Authorization", c.header)
			e.expect(r, 401)
			if r.Header.Get("Content-Type") != "application/problem+json" || r.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("401 without problem or challenge: %v", r.Header)
			}
		})
	}
	// A revoked token stops working at once.
	ts, err := e.store.ListTokens(t.Context(), models.System())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range ts {
		if tok.Name == "eu viewer" {
			if err := e.store.RevokeToken(t.Context(), models.System(), tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.expect(e.do("GET", "/api/v1/activities", "eu_viewer", nil), 401)
	e.expect(e.do("GET", "/api/v1/activities", "nato_viewer", nil), 200)
}

func TestReferenceCRUD(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		created := e.expect(e.do("POST", "/api/v1/organizations", "admin", map[string]any{"code": "US", "name": "United States", "contact_email": "nato@state.example"}), 201)
		id := idOf(t, created)
		if created.Header.Get("ETag") != `"v1"` || created.Header.Get("Location") != fmt.Sprintf("/api/v1/organizations/%d", id) {
			t.Fatalf("headers: %v", created.Header)
		}
		dup := e.expect(e.do("POST", "/api/v1/organizations", "admin", map[string]any{"code": "US", "name": "again"}), 409)
		if !strings.Contains(string(dup.Body), `"field":"code"`) {
			t.Fatalf("duplicate does not name the field: %s", dup.Body)
		}
		// Codes work wherever ids do.
		byCode := e.expect(e.do("GET", "/api/v1/organizations/US", "viewer", nil), 200)
		if idOf(t, byCode) != id {
			t.Fatal("GET by code found another organisation")
		}
		// PATCH keeps absent fields and bumps the version.
		p := e.expect(e.do("PATCH", "/api/v1/organizations/US", "admin", map[string]any{"name": "United States of America"}, "If-Match", `"v1"`), 200).json(t)
		if p["name"] != "United States of America" || p["contact_email"] != "nato@state.example" || p["version"] != float64(2) {
			t.Fatalf("patch result: %v", p)
		}
		e.expect(e.do("PATCH", "/api/v1/organizations/US", "admin", map[string]any{"name": "x"}, "If-Match", `"v1"`), 412)
		// Planners and viewers may not touch organisations.
		e.expect(e.do("POST", "/api/v1/organizations", "eu_planner", map[string]any{"code": "CA", "name": "Canada"}), 403)
		e.expect(e.do("DELETE", "/api/v1/organizations/US", "viewer", nil), 403)
		// A planner maintains their own organisation's people, not others'.
		e.expect(e.do("POST", "/api/v1/people", "eu_planner", map[string]any{"name": "Dora", "email": "dora@eeas.example", "timezone": "Europe/Lisbon", "organization": "EU"}), 201)
		e.expect(e.do("POST", "/api/v1/people", "eu_planner", map[string]any{"name": "Emil", "email": "emil@nato.example", "timezone": "Europe/Oslo", "organization": "NATO"}), 403)
		bad := e.expect(e.do("POST", "/api/v1/people", "admin", map[string]any{"name": "X", "email": "not-an-address", "timezone": "Mars/Olympus", "organization": "EU"}), 422).json(t)
		fields := map[string]bool{}
		for _, fe := range bad["errors"].([]any) {
			fields[fe.(map[string]any)["field"].(string)] = true
		}
		if !fields["email"] || !fields["timezone"] {
			t.Fatalf("want errors on email and timezone: %v", bad)
		}
		// Bodies list their members by e-mail address.
		b := e.expect(e.do("PATCH", "/api/v1/bodies/PSC", "eu_planner", map[string]any{"members": []string{"ana@eeas.example", "dora@eeas.example"}}), 200).json(t)
		if fmt.Sprint(b["members"]) != "[ana@eeas.example dora@eeas.example]" {
			t.Fatalf("members: %v", b["members"])
		}
		// Pagination walks every item once.
		for i := 0; i < 5; i++ {
			e.expect(e.do("POST", "/api/v1/venues", "admin", map[string]any{"code": fmt.Sprintf("ROOM-%d", i), "name": fmt.Sprintf("Room %d", i), "timezone": "Europe/Brussels"}), 201)
		}
		seen, cursor := 0, ""
		for page := 0; page < 10; page++ {
			r := e.expect(e.do("GET", "/api/v1/venues?limit=3&cursor="+cursor, "viewer", nil), 200).json(t)
			seen += len(r["items"].([]any))
			if r["total"] != float64(7) {
				t.Fatalf("total = %v, want 7", r["total"])
			}
			next, _ := r["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if seen != 7 {
			t.Fatalf("pagination saw %d venues, want 7", seen)
		}
		e.expect(e.do("GET", "/api/v1/venues?cursor=garbage", "viewer", nil), 422)
		// Deleting something still in use is refused with a reason.
		e.expect(e.do("POST", "/api/v1/activities", "admin", meeting("EU", "Uses PSC", "2031-03-10T10:00:00+01:00", "2031-03-10T11:00:00+01:00", body("PSC"))), 201)
		e.expect(e.do("DELETE", "/api/v1/bodies/PSC", "admin", nil), 409)
		e.expect(e.do("DELETE", "/api/v1/organizations/US", "admin", nil, "If-Match", `"v2"`), 204)
		e.expect(e.do("GET", "/api/v1/organizations/US", "admin", nil), 404)
	})
}

func TestActivityLifecycle(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		draft := meeting("EU", "NAC–PSC informal meeting", "2031-03-10T10:00:00+01:00", "2031-03-10T12:00:00+01:00", body("PSC"), body("NAC"), person("ben@nato.example", true))
		draft["venue"] = "NATO-HQ"
		draft["areas"] = []string{"political_dialogue"}
		draft["reminders"] = []string{"P1D", "PT1H"}
		created := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", draft), 201).json(t)
		id := int64(created["id"].(float64))
		// It involves NATO's council: proposed until NATO agrees (proposals_test.go).
		if created["start"] != "2031-03-10T10:00:00+01:00" || created["venue"] != "NATO-HQ" || created["status"] != "proposed" || created["format"] != "in_person" {
			t.Fatalf("created: %v", created)
		}
		parts := created["participants"].([]any)
		if len(parts) != 3 || parts[2].(map[string]any)["id_or_code"] != "ben@nato.example" || parts[2].(map[string]any)["rsvp"] != "needs_action" {
			t.Fatalf("participants: %v", parts)
		}
		path := fmt.Sprintf("/api/v1/activities/%d", id)
		// A NATO planner may not change an EU-led activity; an EU one may.
		e.expect(e.do("PATCH", path, "nato_planner", map[string]any{"title": "hijacked"}), 403)
		upd := e.expect(e.do("PATCH", path, "eu_planner", map[string]any{"start": "2031-03-10T11:00:00+01:00", "end": "2031-03-10T13:00:00+01:00"}, "If-Match", `"v1"`), 200).json(t)
		if upd["version"] != float64(2) || upd["sequence"] != float64(1) || upd["title"] != "NAC–PSC informal meeting" {
			t.Fatalf("update: %v", upd)
		}
		// A change of description alone does not bump SEQUENCE.
		upd = e.expect(e.do("PATCH", path, "eu_planner", map[string]any{"description": "Agenda: military mobility."}), 200).json(t)
		if upd["sequence"] != float64(1) || upd["version"] != float64(3) {
			t.Fatalf("description change: %v", upd)
		}
		e.expect(e.do("PATCH", path, "eu_planner", map[string]any{"title": "stale"}, "If-Match", `"v1"`), 412)
		// A planner may not hand the lead to another organisation.
		e.expect(e.do("PATCH", path, "eu_planner", map[string]any{"lead_organization": "NATO"}), 403)
		// Delete leaves a tombstone: gone for the API, kept for the feeds.
		e.expect(e.do("DELETE", path, "eu_planner", nil), 204)
		e.expect(e.do("GET", path, "admin", nil), 410)
		if n := e.count("/api/v1/activities", "admin"); n != 0 {
			t.Fatalf("deleted activity still listed (%d)", n)
		}
		audit := e.expect(e.do("GET", "/api/v1/audit?entity=activity&order=asc", "admin", nil), 200).json(t)
		items := audit["items"].([]any)
		var actions []string
		for _, it := range items {
			actions = append(actions, it.(map[string]any)["action"].(string))
		}
		if strings.Join(actions, ",") != "create,update,update,delete" {
			t.Fatalf("audit actions = %v", actions)
		}
		last := items[len(items)-1].(map[string]any)
		if last["actor"] != "token:eu planner" || last["before"] == nil {
			t.Fatalf("audit entry: %v", last)
		}
		e.expect(e.do("GET", "/api/v1/audit", "eu_planner", nil), 403)
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	valid := func(mod func(m map[string]any)) map[string]any {
		m := meeting("EU", "Cross-briefing", "2031-05-04T10:00:00+02:00", "2031-05-04T11:00:00+02:00", person("ana@eeas.example", true))
		mod(m)
		return m
	}
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", `{"kind": "meeting",`, 400, "body"},
		{"not JSON at all", `hello`, 400, "body"},
		{"two values", `{} {}`, 400, "body"},
		{"unknown field", valid(func(m map[string]any) { m["colour"] = "blue" }), 400, "colour"},
		{"wrong type", valid(func(m map[string]any) { m["all_day"] = "yes" }), 400, "all_day"},
		{"bad time", valid(func(m map[string]any) { m["start"] = "10 March 2031" }), 400, "start"},
		{"end before start", valid(func(m map[string]any) { m["end"] = "2031-05-04T09:00:00+02:00" }), 422, "end"},
		{"unknown time zone", valid(func(m map[string]any) { m["timezone"] = "Europe/Atlantis" }), 422, "timezone"},
		{"rrule without zone", valid(func(m map[string]any) { m["timezone"] = ""; m["rrule"] = "FREQ=WEEKLY" }), 422, "timezone"},
		{"invalid rrule", valid(func(m map[string]any) { m["rrule"] = "FREQ=SOMETIMES" }), 422, "rrule"},
		{"runaway rrule", valid(func(m map[string]any) { m["rrule"] = "FREQ=MINUTELY" }), 422, "rrule"},
		{"unknown participant", valid(func(m map[string]any) {
			m["participants"] = []map[string]any{person("nobody@nowhere.example", true)}
		}), 422, "participants[0].id_or_code"},
		{"unknown kind", valid(func(m map[string]any) { m["kind"] = "party" }), 422, "kind"},
		{"bad reminder", valid(func(m map[string]any) { m["reminders"] = []string{"tomorrow"} }), 422, "reminders[0]"},
		{"unknown venue", valid(func(m map[string]any) { m["venue"] = "ATLANTIS" }), 422, "venue"},
		{"invalid UTF-8", []byte("{\"kind\":\"meeting\",\"title\":\"\xff\xfe\"}"), 400, "body"},
		{"body over 1 MiB", valid(func(m map[string]any) { m["description"] = strings.Repeat("x", 1<<20) }), 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/activities", "admin", c.body)
			e.expect(r, c.status)
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q", ct)
			}
			p := r.json(t)
			if p["type"] == nil || p["title"] == nil || p["status"] != float64(c.status) {
				t.Fatalf("not an RFC 9457 problem: %s", r.Body)
			}
			if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Fatalf("problem does not name %q: %s", c.field, r.Body)
			}
		})
	}
	if n := e.count("/api/v1/activities", "admin"); n != 0 {
		t.Fatalf("%d activities written by bad requests", n)
	}
	a := e.expect(e.do("GET", "/api/v1/audit?entity=activity", "admin", nil), 200).json(t)
	if a["total"] != float64(0) {
		t.Fatalf("audit has entries from bad requests: %v", a)
	}
	e.expect(e.do("GET", "/api/v1/nothing-here", "admin", nil), 404)
	r := e.do("PUT", "/api/v1/activities", "admin", "{}")
	if r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusNotFound {
		t.Fatalf("PUT: %d", r.Status)
	}
}
