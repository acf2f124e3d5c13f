package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// problemOf decodes a problem answer and checks its media type.
func problemOf(t *testing.T, r response) (kind string, fields []string) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answer %d is %q, not a problem: %s", r.Status, ct, r.Body)
	}
	m := r.json(t)
	kind, _ = m["type"].(string)
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	return kind, fields
}

// TestQueryAndPathProblems: a parameter that cannot be read is a 400
// bad-request, one that reads but breaks a rule is a 422
// validation-error; both name the parameter, and nothing is treated as
// "not found" or "empty" by accident.
func TestQueryAndPathProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	const (
		badRequest = "urn:jointcal:problem:bad-request"
		validation = "urn:jointcal:problem:validation-error"
	)
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		kind, field  string
	}{
		{"GET", "/api/v1/activities?kind=exercize", nil, 422, validation, "kind"},
		{"GET", "/api/v1/activities?status=postponed", nil, 422, validation, "status"},
		{"GET", "/api/v1/activities?limit=-1", nil, 422, validation, "limit"},
		{"GET", "/api/v1/activities?limit=100000", nil, 422, validation, "limit"},
		{"GET", "/api/v1/venues?limit=0", nil, 422, validation, "limit"},
		{"GET", "/api/v1/activities?limit=ten", nil, 400, badRequest, "limit"},
		{"GET", "/api/v1/activities?from=yesterday", nil, 400, badRequest, "from"},
		{"GET", "/api/v1/reminders?status=lost", nil, 422, validation, "status"},
		{"GET", "/api/v1/audit?order=sideways", nil, 422, validation, "order"},
		{"GET", "/api/v1/audit?entity=activities", nil, 422, validation, "entity"},
		{"GET", "/api/v1/conflicts?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&severity=severe", nil, 422, validation, "severity"},
		{"GET", "/api/v1/availability?participants=body:PSC&duration=PT1H&from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&limit=0", nil, 422, validation, "limit"},
		{"GET", "/api/v1/availability?participants=body:PSC&duration=PT1H&from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&limit=1000", nil, 422, validation, "limit"},
		{"GET", "/api/v1/availability?participants=body:PSC&duration=PT1H&from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&limit=many", nil, 400, badRequest, "limit"},
		{"GET", "/api/v1/availability?participants=body:PSC&duration=PT1H&from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&timezone=Mars/Olympus", nil, 400, badRequest, "timezone"},
		{"GET", "/api/v1/availability?participants=body:PSC&duration=PT1H&from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&timezone=Local", nil, 400, badRequest, "timezone"},
		{"GET", "/api/v1/activities/abc", nil, 400, badRequest, "id"},
		{"GET", "/api/v1/activities/-3", nil, 400, badRequest, "id"},
		{"GET", "/api/v1/activities/abc/conflicts", nil, 400, badRequest, "id"},
		{"PATCH", "/api/v1/activities/x1", map[string]any{"title": "t"}, 400, badRequest, "id"},
		{"DELETE", "/api/v1/activities/1.5", nil, 400, badRequest, "id"},
		{"GET", "/api/v1/blackouts/abc", nil, 400, badRequest, "id"},
		{"POST", "/api/v1/reminders/abc/retry", nil, 400, badRequest, "id"},
		{"DELETE", "/api/v1/feeds/abc", nil, 400, badRequest, "id"},
		{"POST", "/api/v1/activities", `{"kind":`, 400, badRequest, "body"},
		{"POST", "/api/v1/activities", map[string]any{"kind": "party"}, 422, validation, "kind"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.do(tc.method, tc.path, "admin", tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			kind, fields := problemOf(t, r)
			if kind != tc.kind {
				t.Fatalf("type %q, want %q", kind, tc.kind)
			}
			if len(fields) == 0 || fields[0] != tc.field {
				t.Fatalf("errors name %v, want %q: %s", fields, tc.field, r.Body)
			}
		})
	}
	// A real id that names nothing is still a 404.
	e.expect(e.do("GET", "/api/v1/activities/999999", "admin", nil), 404)
}

// TestWrongMethod: a route that exists answers another method with 405
// and says which methods it takes.
func TestWrongMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	for _, tc := range []struct {
		method, path string
		allow        []string
	}{
		{"DELETE", "/api/v1/activities", []string{"GET", "POST"}},
		{"PUT", "/api/v1/activities/1", []string{"DELETE", "GET", "PATCH"}},
		{"GET", "/api/v1/conflicts/check", []string{"POST"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.expect(e.do(tc.method, tc.path, "admin", nil), http.StatusMethodNotAllowed)
			allow := r.Header.Get("Allow")
			for _, m := range tc.allow {
				if !strings.Contains(allow, m) {
					t.Fatalf("Allow %q lacks %s", allow, m)
				}
			}
			if kind, _ := problemOf(t, r); kind != "urn:jointcal:problem:method-not-allowed" {
				t.Fatalf("type %q", kind)
			}
		})
	}
}

// TestAuditNewestFirst: the trail opens on the latest write; order=asc
// reads it from the start.
func TestAuditNewestFirst(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		for _, code := range []string{"US", "CA", "NO"} {
			e.expect(e.do("POST", "/api/v1/organizations", "admin", map[string]any{"code": code, "name": code, "contact_email": "x@" + strings.ToLower(code) + ".example"}), 201)
		}
		ids := func(path string) []float64 {
			var out []float64
			for _, it := range e.expect(e.do("GET", path, "admin", nil), 200).json(t)["items"].([]any) {
				out = append(out, it.(map[string]any)["id"].(float64))
			}
			return out
		}
		desc := ids("/api/v1/audit?entity=organization&limit=2")
		if len(desc) != 2 || desc[0] <= desc[1] {
			t.Fatalf("default order not newest first: %v", desc)
		}
		next := e.expect(e.do("GET", "/api/v1/audit?entity=organization&limit=2", "admin", nil), 200).json(t)["next_cursor"].(string)
		rest := ids("/api/v1/audit?entity=organization&limit=2&cursor=" + next)
		if len(rest) == 0 || rest[0] >= desc[1] {
			t.Fatalf("second page %v does not continue %v", rest, desc)
		}
		asc := ids("/api/v1/audit?entity=organization&order=asc")
		if len(asc) < 3 || asc[0] >= asc[1] || asc[len(asc)-1] != desc[0] {
			t.Fatalf("order=asc: %v (desc %v)", asc, desc)
		}
	})
}

// TestOccurrencePathPercentDecoded: clients that escape ":" or "+" in
// the original start (encodeURIComponent, Python's quote) reach the
// instance.
func TestOccurrencePathPercentDecoded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	m := meeting("EU", "Weekly sync", "2031-03-04T10:00:00+01:00", "2031-03-04T11:00:00+01:00")
	m["rrule"] = "FREQ=WEEKLY;COUNT=6"
	id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "admin", m), 201))
	for _, start := range []string{"2031-03-11T09%3A00%3A00Z", "2031-03-18T10%3A00%3A00%2B01%3A00"} {
		r := e.expect(e.do("PATCH", "/api/v1/activities/"+itoa(id)+"/occurrences/"+start, "admin", map[string]any{"cancelled": true}), 200)
		if n := len(r.json(t)["overrides"].([]any)); n == 0 {
			t.Fatalf("%s: no override recorded: %s", start, r.Body)
		}
	}
}

// TestTimesInActivityOffset: overrides and conflicts speak in the
// activity's own offset, like the activity's start and end.
func TestTimesInActivityOffset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	m := meeting("EU", "Weekly sync", "2031-03-04T10:00:00+01:00", "2031-03-04T11:00:00+01:00", person("ana@eeas.example", true))
	m["rrule"] = "FREQ=WEEKLY;COUNT=6"
	id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "admin", m), 201))
	r := e.expect(e.do("PATCH", "/api/v1/activities/"+itoa(id)+"/occurrences/2031-03-11T09:00:00Z", "admin", map[string]any{"start": "2031-03-11T14:00:00+01:00", "end": "2031-03-11T15:00:00+01:00"}), 200)
	ov := r.json(t)["overrides"].([]any)[0].(map[string]any)
	for _, f := range []string{"recurrence_id", "start", "end"} {
		if v := ov[f].(string); !strings.HasSuffix(v, "+01:00") {
			t.Fatalf("override %s = %s, want the activity's +01:00", f, v)
		}
	}
	clash := meeting("EU", "Clash", "2031-03-04T10:30:00+01:00", "2031-03-04T11:30:00+01:00", person("ana@eeas.example", true))
	clash["timezone"] = "America/New_York"
	p := e.expect(e.do("POST", "/api/v1/conflicts/check", "admin", clash), 200).json(t)
	c := p["conflicts"].([]any)[0].(map[string]any)
	for _, span := range []string{"occurrence", "overlap", "other"} {
		for _, f := range []string{"start", "end"} {
			if v := c[span].(map[string]any)[f].(string); !strings.HasSuffix(v, "-05:00") {
				t.Fatalf("conflict %s.%s = %s, want the checked activity's -05:00", span, f, v)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOccurrences: the expanded instances of a window, moved ones with
// their original start, cancelled ones absent, filtered and hidden like
// the activity list.
func TestOccurrences(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		weekly := meeting("EU", "Weekly sync", "2031-03-04T10:00:00+01:00", "2031-03-04T11:00:00+01:00")
		weekly["rrule"] = "FREQ=WEEKLY;COUNT=4"
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "admin", weekly), 201))
		path := "/api/v1/activities/" + itoa(id) + "/occurrences/"
		e.expect(e.do("PATCH", path+"2031-03-11T09:00:00Z", "admin", map[string]any{"start": "2031-03-12T15:00:00+01:00", "end": "2031-03-12T16:00:00+01:00"}), 200)
		e.expect(e.do("PATCH", path+"2031-03-18T09:00:00Z", "admin", map[string]any{"cancelled": true}), 200)
		secret := meeting("EU", "EU only", "2031-03-05T10:00:00+01:00", "2031-03-05T11:00:00+01:00")
		secret["visibility"] = []string{"EU"}
		secret["kind"] = "workshop"
		e.expect(e.do("POST", "/api/v1/activities", "admin", secret), 201)

		starts := func(query, who string) []string {
			t.Helper()
			var out []string
			for _, it := range e.expect(e.do("GET", "/api/v1/occurrences?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z"+query, who, nil), 200).json(t)["items"].([]any) {
				o := it.(map[string]any)
				s := o["start"].(string)
				if rid, ok := o["recurrence_id"]; ok {
					s += "<" + rid.(string)
				}
				out = append(out, s)
			}
			return out
		}
		all := strings.Join(starts("", "eu_viewer"), " ")
		want := "2031-03-04T10:00:00+01:00 2031-03-05T10:00:00+01:00 2031-03-12T15:00:00+01:00<2031-03-11T10:00:00+01:00 2031-03-25T10:00:00+01:00"
		if all != want {
			t.Fatalf("EU sees\n %s\nwant\n %s", all, want)
		}
		if got := strings.Join(starts("", "nato_viewer"), " "); strings.Contains(got, "2031-03-05") {
			t.Fatalf("NATO sees the EU-only instance: %s", got)
		}
		if got := starts("&kind=workshop", "eu_viewer"); len(got) != 1 {
			t.Fatalf("kind filter: %v", got)
		}
		// Pages continue where the last one stopped.
		first := e.expect(e.do("GET", "/api/v1/occurrences?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z&limit=3", "eu_viewer", nil), 200).json(t)
		rest := starts("&limit=3&cursor="+first["next_cursor"].(string), "eu_viewer")
		if len(first["items"].([]any)) != 3 || len(rest) != 1 || rest[0] != "2031-03-25T10:00:00+01:00" || first["total"].(float64) != 4 {
			t.Fatalf("pages: %v then %v", first, rest)
		}
		e.expect(e.do("GET", "/api/v1/occurrences?from=2031-03-01T00:00:00Z", "eu_viewer", nil), 422)
		e.expect(e.do("GET", "/api/v1/occurrences?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z&kind=exercize", "eu_viewer", nil), 422)
	})
}

// TestAuditFilterKnowsEveryEntity: every entity kind the trail records
// can be used as its filter; a kind missing from the list of known ones
// would answer 422 for a real entity.
func TestAuditFilterKnowsEveryEntity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Staff talks", "2031-04-01T10:00:00+02:00", "2031-04-01T11:00:00+02:00")), 201)
	e.expect(e.do("POST", "/api/v1/feeds", "admin", map[string]any{"name": "EU plan", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}), 201)
	e.expect(e.do("POST", "/api/v1/blackouts", "admin", map[string]any{"title": "Summit", "start": "2031-05-01T00:00:00Z", "end": "2031-05-03T00:00:00Z", "severity": "soft", "organizations": []string{"EU"}}), 201)
	job := e.expect(e.postICS("organization=NATO&async=true", "nato_planner", manyEvents(3, -1)), 202)
	e.poll(job.Header.Get("Location"), "nato_planner") // let the job finish before the database closes
	entities := map[string]bool{}
	for _, it := range e.expect(e.do("GET", "/api/v1/audit?limit=500", "admin", nil), 200).json(t)["items"].([]any) {
		entities[it.(map[string]any)["entity"].(string)] = true
	}
	if len(entities) < 6 {
		t.Fatalf("only %v audited; the test writes too little", entities)
	}
	for entity := range entities {
		if n := e.count("/api/v1/audit?entity="+entity, "admin"); n == 0 {
			t.Fatalf("entity=%s lists nothing", entity)
		}
	}
}
