package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/scheduler"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// postICS sends a calendar to the import endpoint.
func (e *env) postICS(query, who string, ics []byte) response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/import/ics?"+query, bytes.NewReader(ics))
	req.Header.Set("Content-Type", "text/calendar")
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{Status: res.StatusCode, Header: res.Header, Body: raw}
	checkContract(e.t, req, ics, r)
	return r
}

func corpus(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../calendar/testdata/import/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportICS(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		outlook := corpus(t, "google_export.ics")
		dry := e.expect(e.postICS("organization=EU&dry_run=true", "eu_planner", outlook), 200).json(t)
		if dry["created"].(float64) < 3 || dry["dry_run"] != true {
			t.Fatalf("dry run: %v", dry)
		}
		if n := e.count("/api/v1/activities", "admin"); n != 0 {
			t.Fatalf("a dry run wrote %d activities", n)
		}
		first := e.expect(e.postICS("organization=EU", "eu_planner", outlook), 200).json(t)
		created := int(first["created"].(float64))
		if created != int(dry["created"].(float64)) || e.count("/api/v1/activities", "admin") != created {
			t.Fatalf("import: %v", first)
		}
		again := e.expect(e.postICS("organization=EU", "eu_planner", outlook), 200).json(t)
		if again["created"] != float64(0) || again["updated"] != float64(0) || int(again["unchanged"].(float64)) != created {
			t.Fatalf("re-import is not idempotent: %v", again)
		}
		// The same file with one title changed updates that event only.
		changed := bytes.Replace(outlook, []byte("SUMMARY:"), []byte("SUMMARY:[moved] "), 1)
		upd := e.expect(e.postICS("organization=EU", "eu_planner", changed), 200).json(t)
		if upd["updated"] != float64(1) || int(upd["unchanged"].(float64)) != created-1 {
			t.Fatalf("changed file: %v", upd)
		}
		if n := e.count("/api/v1/activities?q=%5Bmoved%5D", "admin"); n != 1 {
			t.Fatalf("updated title not found (%d)", n)
		}
		// RECURRENCE-ID overrides become moved and cancelled instances.
		e.expect(e.postICS("organization=EU", "admin", corpus(t, "recurring_overrides.ics")), 200)
		list := e.expect(e.do("GET", "/api/v1/activities?q=EADRCC", "admin", nil), 200).json(t)
		item := list["items"].([]any)[0].(map[string]any)
		if len(item["overrides"].([]any)) == 0 || item["rrule"] == "" {
			t.Fatalf("recurring import lost its overrides: %v", item)
		}
		// Only the organisation's planners import for it.
		e.expect(e.postICS("organization=EU", "nato_planner", outlook), 403)
		e.expect(e.postICS("organization=EU", "eu_viewer", outlook), 403)
	})
}

func TestImportRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	r := e.expect(e.postICS("organization=EU", "admin", corpus(t, "broken_garbage.ics")), 422)
	if !strings.Contains(string(r.Body), `"field":"line `) {
		t.Fatalf("no line number: %s", r.Body)
	}
	bad := corpus(t, "broken_dtstart.ics")
	r = e.expect(e.postICS("organization=EU", "admin", bad), 422)
	if !strings.Contains(string(r.Body), "partial=true") || e.count("/api/v1/activities", "admin") != 0 {
		t.Fatalf("all-or-nothing import wrote something: %s", r.Body)
	}
	p := e.expect(e.postICS("organization=EU&partial=true", "admin", bad), 200).json(t)
	if p["created"].(float64) < 1 || len(p["errors"].([]any)) < 1 || e.count("/api/v1/activities", "admin") != int(p["created"].(float64)) {
		t.Fatalf("partial import: %v", p)
	}
	e.expect(e.postICS("organization=NOWHERE", "admin", corpus(t, "holidays.ics")), 422)
	e.expect(e.postICS("", "admin", corpus(t, "holidays.ics")), 400)
	// A multipart upload works like a plain body.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "holidays.ics")
	fw.Write(corpus(t, "holidays.ics"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/import/ics?organization=NATO&dry_run=true", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens["admin"])
	res, err := e.srv.Client().Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("multipart: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
}

// TestImportReportsConflicts: an imported partner event that collides
// with what is booked is reported (and written, holding nothing
// exclusively).
func TestImportReportsConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "PSC in session", "2031-02-03T10:00:00+01:00", "2031-02-03T12:00:00+01:00", person("ana@eeas.example", true))), 201)
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//partner//EN\r\nBEGIN:VEVENT\r\nUID:partner-1\r\nDTSTAMP:20300101T000000Z\r\n" +
		"DTSTART:20310203T100000Z\r\nDTEND:20310203T110000Z\r\nSUMMARY:Partner staff talks\r\nATTENDEE;ROLE=REQ-PARTICIPANT:mailto:ana@eeas.example\r\n" +
		"ATTENDEE:mailto:stranger@elsewhere.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	rep := e.expect(e.postICS("organization=NATO&dry_run=true", "nato_planner", []byte(ics)), 200).json(t)
	cs := rep["conflicts"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["rule"] != "person_double_booked" || cs[0].(map[string]any)["uid"] != "partner-1" {
		t.Fatalf("conflicts: %v", rep)
	}
	e.expect(e.postICS("organization=NATO", "nato_planner", []byte(ics)), 200)
	got := e.expect(e.do("GET", "/api/v1/activities?q=Partner", "admin", nil), 200).json(t)["items"].([]any)[0].(map[string]any)
	if !strings.Contains(got["description"].(string), "stranger@elsewhere.example") {
		t.Fatalf("an unknown attendee vanished: %v", got["description"])
	}
}

// calendarServer is an external calendar whose content, status and
// redirects the test changes.
type calendarServer struct {
	mu       sync.Mutex
	body     string
	etag     string
	status   int
	redirect string
	gets     int
	notMod   int
}

func (c *calendarServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	switch {
	case c.redirect != "":
		http.Redirect(w, r, c.redirect, http.StatusFound)
	case c.status != 0:
		w.WriteHeader(c.status)
	case r.Header.Get("If-None-Match") == c.etag:
		c.notMod++
		w.WriteHeader(http.StatusNotModified)
	default:
		w.Header().Set("ETag", c.etag)
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, c.body)
	}
}

func (c *calendarServer) set(f func(c *calendarServer)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

func holiday(uid, date, next string) string {
	return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20300101T000000Z\r\nDTSTART;VALUE=DATE:" + date + "\r\nDTEND;VALUE=DATE:" + next + "\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"
}

func holidays(events ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//holidays//EN\r\n" + strings.Join(events, "") + "END:VCALENDAR\r\n"
}

func TestExternalCalendarBlocksBookings(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	now := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	syncer := &scheduler.Syncer{Store: s, Fetcher: scheduler.NewFetcher(5*time.Second, 1<<20, 3, loopback), Log: quietLog()}
	e.server.SetExternalSyncer(syncer.SyncID)
	cal := &calendarServer{body: holidays(holiday("h1", "20310505", "20310506")), etag: `"v1"`}
	hs := httptest.NewServer(cal)
	defer hs.Close()

	sub := e.expect(e.do("POST", "/api/v1/external-calendars", "eu_planner", map[string]any{
		"name": "Belgian holidays", "url": hs.URL + "/holidays.ics", "blocks": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}, "severity": "hard", "refresh": "PT30M"}), 201).json(t)
	id := int64(sub["id"].(float64))
	syncPath := fmt.Sprintf("/api/v1/external-calendars/%d/sync", id)
	st := e.expect(e.do("POST", syncPath, "eu_planner", nil), 200).json(t)
	if st["event_count"] != float64(1) || st["last_error"] != "" || st["last_success"] == nil {
		t.Fatalf("first sync: %v", st)
	}
	onHoliday := meeting("EU", "Meeting on the holiday", "2031-05-05T10:00:00+02:00", "2031-05-05T11:00:00+02:00", person("ana@eeas.example", true))
	r := e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_planner", onHoliday), 200).json(t)
	c := r["conflicts"].([]any)
	if len(c) != 1 || c[0].(map[string]any)["rule"] != "external_busy" || c[0].(map[string]any)["other"].(map[string]any)["title"] != "Belgian holidays" {
		t.Fatalf("holiday does not block: %v", r)
	}
	// 304: nothing changes, the sync counts as good.
	e.expect(e.do("POST", syncPath, "eu_planner", nil), 200)
	if cal.notMod != 1 {
		t.Fatalf("no conditional GET (304s: %d)", cal.notMod)
	}
	// New content replaces the old blocks.
	cal.set(func(c *calendarServer) {
		c.body, c.etag = holidays(holiday("h2", "20310506", "20310507")), `"v2"`
	})
	e.expect(e.do("POST", syncPath, "eu_planner", nil), 200)
	if r := e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_planner", onHoliday), 200).json(t); len(r["conflicts"].([]any)) != 0 {
		t.Fatalf("old holiday still blocks: %v", r)
	}
	nextDay := meeting("EU", "Meeting the day after", "2031-05-06T10:00:00+02:00", "2031-05-06T11:00:00+02:00", person("ana@eeas.example", true))
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", nextDay), 409)
	// A failing server and a redirect to a private address keep the last
	// good data and record why.
	for _, breakIt := range []func(c *calendarServer){
		func(c *calendarServer) { c.status = http.StatusInternalServerError },
		func(c *calendarServer) { c.status, c.redirect = 0, "http://10.1.2.3/holidays.ics" },
	} {
		cal.set(breakIt)
		st := e.expect(e.do("POST", syncPath, "eu_planner", nil), 200).json(t)
		if st["last_error"] == "" || st["event_count"] != float64(1) {
			t.Fatalf("failed sync: %v", st)
		}
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", nextDay), 409)
	}
	if st := e.expect(e.do("GET", fmt.Sprintf("/api/v1/external-calendars/%d", id), "eu_planner", nil), 200).json(t); !strings.Contains(st["last_error"].(string), "not allowed") {
		t.Fatalf("redirect to a private address: %v", st["last_error"])
	}
	// After three refresh intervals without a good sync, answers warn.
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	r = e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_planner", nextDay), 200).json(t)
	if !strings.Contains(fmt.Sprint(r["warnings"]), "external_stale") {
		t.Fatalf("no stale-data warning: %v", r)
	}
	// Only http(s) and webcal URLs are accepted.
	e.expect(e.do("POST", "/api/v1/external-calendars", "eu_planner", map[string]any{"name": "x", "url": "file:///etc/passwd", "blocks": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}), 422)
	e.expect(e.do("POST", "/api/v1/external-calendars", "nato_planner", map[string]any{"name": "x", "url": hs.URL, "blocks": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}), 403)
}

// TestImportFloatingTimeZone: floating times are read in ?timezone=, else in
// the organisation's zone (issue 15, defect 3). Outlook 2003's 09:00 on
// Monday 2 March 2026 is 14:00Z in New York (EST) and 08:00Z in Brussels
// (CET).
func TestImportFloatingTimeZone(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		file := corpus(t, "clients/outlook2003_floating.ics")
		firstStart := func(org string) time.Time {
			t.Helper()
			list := e.expect(e.do("GET", "/api/v1/activities?q=Washington&organization="+org, "admin", nil), 200).json(t)
			items := list["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("%s: %d activities", org, len(items))
			}
			st, err := time.Parse(time.RFC3339, items[0].(map[string]any)["start"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		org := e.expect(e.do("GET", "/api/v1/organizations/EU", "admin", nil), 200).json(t)
		if org["timezone"] != "Europe/Brussels" {
			t.Fatalf("default organisation zone %v", org["timezone"])
		}
		bad := e.expect(e.postICS("organization=EU&timezone=Mars/Olympus", "admin", file), 422).json(t)
		if errs := bad["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "timezone" {
			t.Fatalf("bad zone: %v", bad)
		}
		if n := e.count("/api/v1/activities", "admin"); n != 0 {
			t.Fatalf("a refused import wrote %d activities", n)
		}
		e.expect(e.postICS("organization=EU", "admin", file), 200)
		if got, want := firstStart("EU"), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("organisation zone: start %s, want %s", got, want)
		}
		e.expect(e.do("PATCH", "/api/v1/organizations/NATO", "admin", map[string]any{"timezone": "America/New_York"}), 200)
		e.expect(e.postICS("organization=NATO", "admin", file), 200)
		if got, want := firstStart("NATO"), time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("NATO in New York: start %s, want %s", got, want)
		}
		e.expect(e.do("PATCH", "/api/v1/organizations/NATO", "admin", map[string]any{"timezone": "Nowhere/Land"}), 422)
	})
}

// TestImportLongRunningSeries: a weekday stand-up since 2009 and a daily
// brief since 2012 exceed the instance limit from their start; they are
// imported with the window jointcal keeps, and the report says how much
// is left out (issue 15, defect 4).
func TestImportLongRunningSeries(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		s.SetClock(func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) })
		e := newEnv(t, s)
		rep := e.expect(e.postICS("organization=EU", "admin", corpus(t, "clients/outlook_long_series.ics")), 200).json(t)
		if rep["created"] != float64(2) {
			t.Fatalf("report: %v", rep)
		}
		warned := map[string]bool{}
		for _, w := range rep["warnings"].([]any) {
			m := w.(map[string]any)
			if strings.Contains(m["message"].(string), "occurrences before 2026-08-30 are not kept") {
				warned[m["uid"].(string)] = true
			}
		}
		if len(warned) != 2 {
			t.Errorf("warnings %v", rep["warnings"])
		}
	})
}

// TestImportManyAttendees: an event with more attendees than the cap is
// imported with the first 1,000 looked up in batches, on both databases
// (issue 9, item 8: the lookup failed with "too many SQL variables").
func TestImportManyAttendees(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:plenary@example.org\r\nDTSTART:20300610T080000Z\r\nDTEND:20300610T100000Z\r\nSUMMARY:Plenary\r\n")
		for i := 0; i < 1200; i++ {
			fmt.Fprintf(&b, "ATTENDEE:mailto:delegate%d@example.org\r\n", i)
		}
		b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
		rep := e.expect(e.postICS("organization=EU", "admin", []byte(b.String())), 200).json(t)
		if rep["created"] != float64(1) || len(rep["warnings"].([]any)) != 1 {
			t.Fatalf("report: %v", rep)
		}
		list := e.expect(e.do("GET", "/api/v1/activities?q=Plenary", "admin", nil), 200).json(t)
		desc := list["items"].([]any)[0].(map[string]any)["description"].(string)
		if !strings.Contains(desc, "Also invited: delegate0@example.org, delegate1@example.org") || !strings.HasSuffix(desc, " more") || strings.Contains(desc, "delegate1000@") {
			t.Errorf("description %q does not name the first of the 1,000 kept attendees and count the rest", desc)
		}
	})
}

// TestExternalCalendarFloatingTimes: a subscription's floating times are
// read in the owning organisation's zone (issue 15, defect 3). 10:00 on 5
// May 2031 in Brussels is 08:00Z; read as UTC it would block 10:00Z.
func TestExternalCalendarFloatingTimes(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	s.SetClock(func() time.Time { return time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC) })
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	syncer := &scheduler.Syncer{Store: s, Fetcher: scheduler.NewFetcher(5*time.Second, 1<<20, 3, loopback), Log: quietLog()}
	e.server.SetExternalSyncer(syncer.SyncID)
	cal := &calendarServer{body: holidays("BEGIN:VEVENT\r\nUID:f1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20310505T100000\r\nDTEND:20310505T110000\r\nSUMMARY:Partner meeting\r\nEND:VEVENT\r\n"), etag: `"v1"`}
	hs := httptest.NewServer(cal)
	defer hs.Close()
	sub := e.expect(e.do("POST", "/api/v1/external-calendars", "eu_planner", map[string]any{
		"name": "Partner", "url": hs.URL + "/partner.ics", "blocks": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}, "severity": "hard", "refresh": "PT30M"}), 201).json(t)
	e.expect(e.do("POST", fmt.Sprintf("/api/v1/external-calendars/%d/sync", int64(sub["id"].(float64))), "eu_planner", nil), 200)
	for _, tc := range []struct {
		start, end string
		conflicts  int
	}{
		{"2031-05-05T10:00:00+02:00", "2031-05-05T10:30:00+02:00", 1}, // 08:00Z: the partner's 10:00 Brussels
		{"2031-05-05T12:00:00+02:00", "2031-05-05T12:30:00+02:00", 0}, // 10:00Z: free
	} {
		r := e.expect(e.do("POST", "/api/v1/conflicts/check", "eu_planner", meeting("EU", "Check", tc.start, tc.end, person("ana@eeas.example", true))), 200).json(t)
		if n := len(r["conflicts"].([]any)); n != tc.conflicts {
			t.Errorf("%s: %d conflicts, want %d: %v", tc.start, n, tc.conflicts, r)
		}
	}
}
