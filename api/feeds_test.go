package api_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	ical "github.com/emersion/go-ical"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// fetch GETs a feed URL as a calendar client would.
func (e *env) fetch(url string, headers ...string) response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("User-Agent", "Google-Calendar-Importer")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// events parses a feed with go-ical and returns its VEVENTs by SUMMARY.
func events(t *testing.T, body []byte) map[string]*ical.Component {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	out := map[string]*ical.Component{}
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			s, _ := c.Props.Text(ical.PropSummary)
			if _, isOverride := c.Props[ical.PropRecurrenceID]; !isOverride {
				out[s] = c
			}
		}
	}
	return out
}

func TestFeedLifecycle(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := meeting("EU", "Réunion informelle NAC–PSC", "2027-03-10T10:00:00+01:00", "2027-03-10T12:00:00+01:00", body("PSC"), person("ana@eeas.example", true))
		m["venue"], m["reminders"] = "NATO-HQ", []string{"P1D"}
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", m), 201))
		weekly := meeting("EU", "Hybrid staff exchange", "2027-01-12T10:00:00+01:00", "2027-01-12T11:00:00+01:00", person("chloe@eeas.example", true))
		weekly["rrule"] = "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"
		wid := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", weekly), 201))
		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d/occurrences/2027-02-09T09:00:00Z", wid), "eu_planner", map[string]any{"cancelled": true}), 200)

		created := e.expect(e.do("POST", "/api/v1/feeds", "eu_planner", map[string]any{"name": "EU plan", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}), 201).json(t)
		url := created["url"].(string)
		if !strings.HasSuffix(url, ".ics") || !strings.HasPrefix(created["webcal_url"].(string), "webcal://") {
			t.Fatalf("feed answer: %v", created)
		}
		url = e.srv.URL + url[strings.Index(url, "/feeds/"):]
		r := e.expect(e.fetch(url), 200)
		if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
		if r.Header.Get("ETag") == "" || r.Header.Get("Last-Modified") == "" || r.Header.Get("Cache-Control") != "private, max-age=3600" {
			t.Fatalf("validators: %v", r.Header)
		}
		evs := events(t, r.Body)
		ev := evs["Réunion informelle NAC–PSC"]
		if ev == nil || len(evs) != 2 {
			t.Fatalf("feed events: %v", evs)
		}
		if uid, _ := ev.Props.Text(ical.PropUID); uid != fmt.Sprintf("%d@jointcal.localhost", id) {
			t.Fatalf("UID %q", uid)
		}
		if !strings.Contains(string(r.Body), "RECURRENCE-ID;TZID=Europe/Brussels:20270209T100000") || !strings.Contains(string(r.Body), "BEGIN:VALARM") || !strings.Contains(string(r.Body), "BEGIN:VTIMEZONE") {
			t.Fatalf("feed lacks the cancelled instance, alarm or VTIMEZONE:\n%s", r.Body)
		}
		etag := r.Header.Get("ETag")
		// Revalidation, gzip and HEAD.
		e.expect(e.fetch(url, "If-None-Match", etag), 304)
		// A feed's Last-Modified does not move when an event leaves it,
		// so only the ETag answers 304.
		if ims := e.expect(e.fetch(url, "If-Modified-Since", r.Header.Get("Last-Modified")), 200); !bytes.Equal(ims.Body, r.Body) {
			t.Fatal("If-Modified-Since alone did not get the feed")
		}
		gz := e.expect(e.fetch(url, "Accept-Encoding", "gzip"), 200)
		if gz.Header.Get("Content-Encoding") != "gzip" {
			t.Fatal("no gzip")
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, r.Body) {
			t.Fatal("gzip body differs from the plain one")
		}
		req, _ := http.NewRequest("HEAD", url, nil)
		head, err := http.DefaultClient.Do(req)
		if err != nil || head.StatusCode != 200 || head.Header.Get("ETag") != etag {
			t.Fatalf("HEAD: %v %v", head, err)
		}
		head.Body.Close()

		// A change of title bumps SEQUENCE and invalidates the cached feed.
		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", map[string]any{"title": "NAC–PSC informal meeting"}), 200)
		r2 := e.expect(e.fetch(url, "If-None-Match", etag), 200)
		ev2 := events(t, r2.Body)["NAC–PSC informal meeting"]
		if ev2 == nil {
			t.Fatalf("edit not in the feed:\n%s", r2.Body)
		}
		if seq, _ := ev2.Props.Get(ical.PropSequence).Int(); seq != 1 {
			t.Fatalf("SEQUENCE = %d, want 1", seq)
		}
		// A deleted activity stays, cancelled, with a higher SEQUENCE.
		e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/activities/%d", id), "eu_planner", nil), 204)
		r3 := e.expect(e.fetch(url), 200)
		ev3 := events(t, r3.Body)["NAC–PSC informal meeting"]
		if st, _ := ev3.Props.Text(ical.PropStatus); st != "CANCELLED" {
			t.Fatalf("deleted activity: STATUS %q", st)
		}
		if seq, _ := ev3.Props.Get(ical.PropSequence).Int(); seq != 2 {
			t.Fatalf("deleted SEQUENCE = %d, want 2", seq)
		}
		// Statistics tell the planner the subscriber is current.
		list := e.expect(e.do("GET", "/api/v1/feeds", "eu_planner", nil), 200).json(t)
		f := list["items"].([]any)[0].(map[string]any)
		if f["fetch_count"].(float64) < 5 || f["last_user_agent"] != "Google-Calendar-Importer" || f["last_fetched_at"] == nil {
			t.Fatalf("feed statistics: %v", f)
		}
		if _, leaked := f["url"]; leaked {
			t.Fatal("the list shows the secret URL")
		}
		if n := len(e.expect(e.do("GET", "/api/v1/feeds", "nato_planner", nil), 200).json(t)["items"].([]any)); n != 0 {
			t.Fatalf("another planner sees %d feeds", n)
		}
		// Rotation kills the old URL; revocation the new one; both are plain 404s.
		fid := int64(created["id"].(float64))
		rot := e.expect(e.do("POST", fmt.Sprintf("/api/v1/feeds/%d/rotate", fid), "eu_planner", nil), 200).json(t)
		newURL := e.srv.URL + rot["url"].(string)[strings.Index(rot["url"].(string), "/feeds/"):]
		e.expect(e.fetch(url), 404)
		e.expect(e.fetch(newURL), 200)
		e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/feeds/%d", fid), "eu_planner", nil), 204)
		gone := e.expect(e.fetch(newURL), 404)
		unknown := e.expect(e.fetch(e.srv.URL+"/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"), 404)
		if string(gone.Body) != strings.Replace(string(unknown.Body), unknown.json(t)["request_id"].(string), gone.json(t)["request_id"].(string), 1) {
			t.Fatalf("revoked and unknown feeds answer differently:\n%s\n%s", gone.Body, unknown.Body)
		}
	})
}

// TestFeedVisibility: a NATO-owned feed never shows an EU-restricted
// activity, whichever filter asks for it.
func TestFeedVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	secret := meeting("EU", "EU-only preparatory meeting", "2027-04-01T09:00:00+02:00", "2027-04-01T10:00:00+02:00", person("ana@eeas.example", true), body("PSC"))
	secret["visibility"] = []string{"EU"}
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201)
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Open cross-briefing", "2027-04-02T09:00:00+02:00", "2027-04-02T10:00:00+02:00", body("PSC"))), 201)
	for _, filter := range []map[string]any{
		{},
		{"organizations": []string{"EU"}},
		{"bodies": []string{"PSC"}},
		{"kinds": []string{"meeting"}, "statuses": []string{"confirmed"}},
		{"people": []string{"ana@eeas.example"}},
	} {
		f := e.expect(e.do("POST", "/api/v1/feeds", "nato_planner", map[string]any{"name": "NATO view", "owner": map[string]any{"type": "organization", "id_or_code": "NATO"}, "filter": filter}), 201).json(t)
		u := f["url"].(string)
		body := e.expect(e.fetch(e.srv.URL+u[strings.Index(u, "/feeds/"):]), 200).Body
		if strings.Contains(string(body), "preparatory") {
			t.Fatalf("filter %v: NATO feed shows the EU-only activity", filter)
		}
		if filter["people"] == nil && !strings.Contains(string(body), "Open cross-briefing") {
			t.Fatalf("filter %v: the open activity is missing", filter)
		}
	}
	// A person's feed sees with their organisation's eyes.
	f := e.expect(e.do("POST", "/api/v1/feeds", "eu_viewer", map[string]any{"name": "Ana", "owner": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}), 201).json(t)
	u := f["url"].(string)
	if body := e.expect(e.fetch(e.srv.URL+u[strings.Index(u, "/feeds/"):]), 200).Body; !strings.Contains(string(body), "preparatory") {
		t.Fatal("an EU person's feed lacks the EU-only activity")
	}
	// Nobody creates feeds that see with another organisation's eyes.
	e.expect(e.do("POST", "/api/v1/feeds", "nato_planner", map[string]any{"name": "spy", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}), 403)
	e.expect(e.do("POST", "/api/v1/feeds", "nato_viewer", map[string]any{"name": "spy", "owner": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}), 403)
}

func TestActivityICS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Staff talks", "2027-05-05T14:00:00+02:00", "2027-05-05T16:00:00+02:00")), 201))
	r := e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d.ics", id), "viewer", nil), 200)
	if !strings.HasPrefix(string(r.Body), "BEGIN:VCALENDAR\r\n") || events(t, r.Body)["Staff talks"] == nil {
		t.Fatalf(".ics: %s", r.Body)
	}
	e.expect(e.do("GET", fmt.Sprintf("/api/v1/activities/%d.ics", id), "", nil), 401)
}
