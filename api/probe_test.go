package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/scheduler"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// These tests replay what an outside probe found: each failed before its fix.

const probeICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//probe//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:probe-1@nato.example\r\nDTSTAMP:20310101T000000Z\r\n" +
	"DTSTART:20310310T090000Z\r\nDTEND:20310310T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestReimportKeepsWhatTheFileDoesNotSay: a re-import updates only what
// the file says; visibility, areas, series and participants a planner set
// in jointcal stay.
func TestReimportKeepsWhatTheFileDoesNotSay(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		rep := e.expect(e.postICS("organization=NATO", "nato_planner", []byte(fmt.Sprintf(probeICS, "Staff talks"))), 200).json(t)
		if rep["created"] != float64(1) {
			t.Fatalf("first import: %v", rep)
		}
		items := e.expect(e.do("GET", "/api/v1/activities", "nato_planner", nil), 200).json(t)["items"].([]any)
		id := int64(items[0].(map[string]any)["id"].(float64))
		path := fmt.Sprintf("/api/v1/activities/%d", id)
		e.expect(e.do("PATCH", path, "nato_planner", map[string]any{
			"visibility": []string{"NATO"}, "areas": []string{"cyber"}, "series": "Staff talks line", "kind": "staff_talks",
			"participants": []map[string]any{body("NAC")},
		}), 200)
		rep = e.expect(e.postICS("organization=NATO", "nato_planner", []byte(fmt.Sprintf(probeICS, "Staff talks (renamed)"))), 200).json(t)
		if rep["updated"] != float64(1) {
			t.Fatalf("re-import: %v", rep)
		}
		got := e.expect(e.do("GET", path, "nato_planner", nil), 200).json(t)
		if got["title"] != "Staff talks (renamed)" {
			t.Fatalf("the file's title was not applied: %v", got["title"])
		}
		if fmt.Sprint(got["visibility"]) != "[NATO]" || fmt.Sprint(got["areas"]) != "[cyber]" || got["series"] != "Staff talks line" || got["kind"] != "staff_talks" {
			t.Fatalf("re-import reset what the file does not say: visibility=%v areas=%v series=%v kind=%v", got["visibility"], got["areas"], got["series"], got["kind"])
		}
		if ps := got["participants"].([]any); len(ps) != 1 {
			t.Fatalf("re-import dropped the participants: %v", ps)
		}
		e.expect(e.do("GET", path, "eu_viewer", nil), 404)
		// An unchanged re-import writes nothing.
		rep = e.expect(e.postICS("organization=NATO", "nato_planner", []byte(fmt.Sprintf(probeICS, "Staff talks (renamed)"))), 200).json(t)
		if rep["unchanged"] != float64(1) {
			t.Fatalf("unchanged re-import: %v", rep)
		}
	})
}

// TestReimportNeverTouchesWhatIsNoLongerYours: an imported activity that
// was handed to the EU and restricted to it is neither changed nor
// revealed by the NATO planner's re-import of the same file.
func TestReimportNeverTouchesWhatIsNoLongerYours(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		e.expect(e.postICS("organization=NATO", "nato_planner", []byte(fmt.Sprintf(probeICS, "Handed over"))), 200)
		items := e.expect(e.do("GET", "/api/v1/activities", "admin", nil), 200).json(t)["items"].([]any)
		id := int64(items[0].(map[string]any)["id"].(float64))
		path := fmt.Sprintf("/api/v1/activities/%d", id)
		e.expect(e.do("PATCH", path, "admin", map[string]any{"lead_organization": "EU", "visibility": []string{"EU"}, "title": "EU internal: handed over"}), 200)

		rep := e.postICS("organization=NATO", "nato_planner", []byte(fmt.Sprintf(probeICS, "NATO overwrite")))
		e.expect(rep, 200)
		if strings.Contains(string(rep.Body), "EU internal") || strings.Contains(string(rep.Body), "handed over") {
			t.Fatalf("the report reveals the EU activity: %s", rep.Body)
		}
		got := e.expect(e.do("GET", path, "admin", nil), 200).json(t)
		if got["title"] != "EU internal: handed over" || got["lead_organization"] != "EU" || fmt.Sprint(got["visibility"]) != "[EU]" {
			t.Fatalf("the NATO re-import changed the EU activity: %v", got)
		}
		// The NATO planner's file now lives in an activity of NATO's own.
		if n := e.count("/api/v1/activities?q=NATO+overwrite", "nato_planner"); n != 1 {
			t.Fatalf("NATO sees %d activities from its re-import, want 1 of its own", n)
		}
		// And a second re-import updates that one, still not the EU's.
		e.expect(e.postICS("organization=NATO", "nato_planner", []byte(fmt.Sprintf(probeICS, "NATO overwrite 2"))), 200)
		if got := e.expect(e.do("GET", path, "admin", nil), 200).json(t); got["title"] != "EU internal: handed over" {
			t.Fatalf("the second re-import changed the EU activity: %v", got["title"])
		}
		if n := e.count("/api/v1/activities?q=NATO+overwrite", "admin"); n != 1 {
			t.Fatalf("%d NATO copies, want 1", n)
		}
	})
}

// TestParentResolvesThroughVisibility: a restricted activity named as a
// parent is "no activity", exactly as a missing one, for those who may
// not see it.
func TestParentResolvesThroughVisibility(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		secret := meeting("EU", "EU-only meeting", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		secret["visibility"] = []string{"EU"}
		rid := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201))
		phase := meeting("NATO", "Phase", "2031-06-05T09:00:00+02:00", "2031-06-05T10:00:00+02:00")
		phase["kind"] = "exercise_phase"
		for _, ref := range []string{fmt.Sprint(rid), "999999"} {
			phase["parent"] = ref
			for _, path := range []string{"/api/v1/conflicts/check", "/api/v1/activities"} {
				r := e.expect(e.do("POST", path, "nato_planner", phase), 422)
				body := strings.ReplaceAll(string(r.Body), ref, "ID")
				if !strings.Contains(body, `no activity with id \"ID\"`) || strings.Contains(body, "meeting") {
					t.Fatalf("%s with parent %s: %s", path, ref, r.Body)
				}
			}
		}
		// The EU planner may name it.
		phase["lead_organization"], phase["parent"] = "EU", fmt.Sprint(rid)
		r := e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_planner", phase), 422)
		if !strings.Contains(string(r.Body), "not a meeting") {
			t.Fatalf("EU planner: %s", r.Body)
		}
	})
}

// TestExternalCalendarsScopedToTheirOwners: a subscription (its URL is
// often a secret) is listed and shown only to administrators, to the
// token that made it and to the planners of the organisation that owns
// what it blocks; to everyone else it does not exist.
func TestExternalCalendarsScopedToTheirOwners(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		secretURL := "https://calendar.example/private/0123456789abcdef/basic.ics"
		eu := e.expect(e.do("POST", "/api/v1/external-calendars", "eu_planner", map[string]any{
			"name": "Ana's private calendar", "url": secretURL, "blocks": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}), 201).json(t)
		venue := e.expect(e.do("POST", "/api/v1/external-calendars", "eu_planner", map[string]any{
			"name": "VTC bookings", "url": secretURL + "?venue", "blocks": map[string]any{"type": "venue", "id_or_code": "VTC"}}), 201).json(t)
		for _, sub := range []map[string]any{eu, venue} {
			path := fmt.Sprintf("/api/v1/external-calendars/%v", sub["id"])
			for who, sees := range map[string]bool{"admin": true, "eu_planner": true, "nato_planner": false, "nato_viewer": false, "eu_viewer": false, "viewer": false} {
				list := e.expect(e.do("GET", "/api/v1/external-calendars", who, nil), 200)
				get := e.do("GET", path, who, nil)
				if sees {
					e.expect(get, 200)
					if !strings.Contains(string(list.Body), secretURL) {
						t.Fatalf("%s does not see its subscription in the list: %s", who, list.Body)
					}
					continue
				}
				e.expect(get, 404)
				if strings.Contains(string(list.Body), secretURL) || strings.Contains(string(get.Body), secretURL) {
					t.Fatalf("%s sees the EU's subscription: %s %s", who, list.Body, get.Body)
				}
				e.expect(e.do("POST", path+"/sync", who, nil), 404)
				e.expect(e.do("DELETE", path, who, nil), 404)
			}
		}
	})
}

// TestExternalSyncErrorsQuoteNothingFetched: a failed sync records a
// status and a reason, never text from the response (a subscription
// pointed at an internal page must not become a way to read it).
func TestExternalSyncErrorsQuoteNothingFetched(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	syncer := &scheduler.Syncer{Store: s, Fetcher: scheduler.NewFetcher(5*time.Second, 1<<20, 3, loopback), Log: quietLog()}
	e.server.SetExternalSyncer(syncer.SyncID)
	const secret = "INTERNAL SECRET admin page"
	pages := map[string]func(w http.ResponseWriter){
		"/html": func(w http.ResponseWriter) { io.WriteString(w, "<html>"+secret+"</html>\r\n") },
		"/ics": func(w http.ResponseWriter) {
			io.WriteString(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"+secret+"\r\nEND:VCALENDAR\r\n")
		},
		"/status": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, secret)
		},
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { pages[r.URL.Path](w) }))
	defer hs.Close()
	for path := range pages {
		sub := e.expect(e.do("POST", "/api/v1/external-calendars", "eu_planner", map[string]any{
			"name": "probe " + path, "url": hs.URL + path, "blocks": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}), 201).json(t)
		st := e.expect(e.do("POST", fmt.Sprintf("/api/v1/external-calendars/%v/sync", sub["id"]), "eu_planner", nil), 200).json(t)
		msg, _ := st["last_error"].(string)
		if msg == "" || strings.Contains(strings.ToLower(msg), "secret") || strings.Contains(msg, "html") {
			t.Errorf("%s: last_error %q", path, msg)
		}
	}
}

// TestNULIsInvalidInput: a NUL byte (which PostgreSQL cannot store) in a
// body, a query or a path is refused as invalid input on every database.
func TestNULIsInvalidInput(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := meeting("EU", "nul\u0000byte", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		r := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 422)
		if !strings.Contains(string(r.Body), `"field":"title"`) {
			t.Fatalf("the problem does not name the field: %s", r.Body)
		}
		m = meeting("EU", "fine", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00", map[string]any{"type": "person", "id_or_code": "a\u0000b"})
		r = e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 422)
		if !strings.Contains(string(r.Body), `"field":"participants[0].id_or_code"`) {
			t.Fatalf("the problem does not name the nested field: %s", r.Body)
		}
		e.expect(e.do("GET", "/api/v1/activities?q=a%00b", "viewer", nil), 400)
		e.expect(e.do("GET", "/api/v1/bodies/%00", "viewer", nil), 400)
		e.expect(e.do("GET", "/api/v1/people?q=%00", "viewer", nil), 400)
		if n := e.count("/api/v1/activities", "admin"); n != 0 {
			t.Fatalf("%d activities written", n)
		}
		// A literal backslash-u in text is no NUL.
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", `C:\u0000 is a path`, "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")), 201)
	})
}

// TestDeletingAVenueInUseIsAConflict: as for people and bodies, 409.
func TestDeletingAVenueInUseIsAConflict(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := meeting("EU", "At HQ", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		m["venue"] = "NATO-HQ"
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201))
		venues := e.expect(e.do("GET", "/api/v1/venues/NATO-HQ", "admin", nil), 200).json(t)
		path := fmt.Sprintf("/api/v1/venues/%v", venues["id"])
		r := e.expect(e.do("DELETE", path, "admin", nil), 409)
		if !strings.Contains(string(r.Body), "in-use") {
			t.Fatalf("not an in-use problem: %s", r.Body)
		}
		// A deleted activity (kept as a tombstone for the feeds) still
		// holds its venue.
		e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", nil), 204)
		e.expect(e.do("DELETE", path, "admin", nil), 409)
		e.expect(e.do("GET", path, "admin", nil), 200)
	})
}

// TestActivityCaps: reminders, exception dates and an activity's length
// are bounded, with a 422 naming the field.
func TestActivityCaps(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	base := func() map[string]any {
		m := meeting("EU", "Capped", "2031-06-02T09:00:00+02:00", "2031-06-02T10:00:00+02:00")
		m["rrule"] = "FREQ=DAILY"
		return m
	}
	for _, c := range []struct {
		name  string
		field string
		edit  func(m map[string]any)
	}{
		{"reminders", "reminders", func(m map[string]any) {
			m["reminders"] = many(models.MaxReminders+1, func(i int) string { return fmt.Sprintf("PT%dM", i+1) })
		}},
		{"exdates", "exdates", func(m map[string]any) {
			m["exdates"] = many(models.MaxExceptionDates+1, func(i int) string {
				return time.Date(2031, 6, 3, 7, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.RFC3339)
			})
		}},
		{"rdates", "rdates", func(m map[string]any) {
			m["rdates"] = many(models.MaxExceptionDates+1, func(i int) string {
				return time.Date(2031, 6, 3, 19, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.RFC3339)
			})
		}},
		{"length", "end", func(m map[string]any) {
			delete(m, "rrule")
			m["end"] = "2231-06-02T10:00:00+02:00"
		}},
	} {
		m := base()
		c.edit(m)
		r := e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 422)
		if !strings.Contains(string(r.Body), fmt.Sprintf(`"field":%q`, c.field)) {
			t.Fatalf("%s: the problem does not name %s: %.300s", c.name, c.field, r.Body)
		}
	}
	// At the caps, accepted.
	m := base()
	m["reminders"] = many(models.MaxReminders, func(i int) string { return fmt.Sprintf("PT%dM", i+1) })
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201)
	long := meeting("EU", "A year-long programme", "2031-01-01T00:00:00+01:00", "2031-12-31T00:00:00+01:00")
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", long), 201)
	// An imported event meets the same caps.
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//probe//EN\r\nBEGIN:VEVENT\r\nUID:forever@probe\r\nDTSTAMP:20310101T000000Z\r\n" +
		"DTSTART:20310310T090000Z\r\nDTEND:22310310T100000Z\r\nSUMMARY:Two centuries\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	rep := e.postICS("organization=EU&partial=true", "eu_planner", []byte(ics))
	if !strings.Contains(string(rep.Body), "at most 367 days") || strings.Contains(string(rep.Body), `"created":1`) {
		t.Fatalf("a two-century import: %s", rep.Body)
	}
}

// TestRestrictedAndMissingAnswerAlike: for those who may not see it, a
// restricted activity answers exactly as an id that never existed: same
// status, same headers, same body but for the path and request ID.
func TestRestrictedAndMissingAnswerAlike(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		secret := meeting("EU", "EU-only", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00", body("PSC"))
		secret["visibility"] = []string{"EU"}
		rid := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201))
		missing := rid + 1000
		normalise := func(r response, id int64) string {
			h := r.Header.Clone()
			for _, k := range []string{"Date", "X-Request-Id", "Content-Length"} {
				h.Del(k)
			}
			var m map[string]any
			if err := json.Unmarshal(r.Body, &m); err != nil {
				t.Fatalf("not JSON: %s", r.Body)
			}
			delete(m, "request_id")
			m["instance"] = strings.Replace(fmt.Sprint(m["instance"]), fmt.Sprintf("/activities/%d", id), "/activities/ID", 1)
			raw, _ := json.Marshal(m)
			return fmt.Sprintf("%d %v %s", r.Status, h, raw)
		}
		for _, req := range []struct{ method, path string }{
			{"GET", "/api/v1/activities/%d"},
			{"PATCH", "/api/v1/activities/%d"},
			{"DELETE", "/api/v1/activities/%d"},
			{"GET", "/api/v1/activities/%d/conflicts"},
			{"PATCH", "/api/v1/activities/%d/occurrences/2031-06-01T07:00:00Z"},
		} {
			var payload any
			switch {
			case strings.Contains(req.path, "occurrences"):
				payload = map[string]any{"cancelled": true}
			case req.method == "PATCH":
				payload = map[string]any{"title": "x"}
			}
			a := normalise(e.do(req.method, fmt.Sprintf(req.path, rid), "nato_planner", payload), rid)
			b := normalise(e.do(req.method, fmt.Sprintf(req.path, missing), "nato_planner", payload), missing)
			if a != b {
				t.Errorf("%s %s: restricted and missing differ:\n%s\n%s", req.method, req.path, a, b)
			}
		}
	})
}

// TestUnknownReferencesAreNamedInTheSingular: "no body with id or code",
// not "no bodie"; "no person", not "no people".
func TestUnknownReferencesAreNamedInTheSingular(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	m := meeting("EU", "x", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00", body("XYZ"), person("nobody@example.org", false))
	m["venue"] = "NOWHERE"
	r := string(e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 422).Body)
	for _, want := range []string{`no body with id or code \"XYZ\"`, `no person with id or code \"nobody@example.org\"`, `no venue with id or code \"NOWHERE\"`} {
		if !strings.Contains(r, want) {
			t.Errorf("missing %s in %s", want, r)
		}
	}
}
