package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// feedURL creates a feed with the given token and owner and returns its
// URL on the test server.
func (e *env) feedURL(token, ownerType, owner string, filter map[string]any) string {
	e.t.Helper()
	in := map[string]any{"name": "feed of " + owner, "owner": map[string]any{"type": ownerType, "id_or_code": owner}}
	if filter != nil {
		in["filter"] = filter
	}
	u := e.expect(e.do("POST", "/api/v1/feeds", token, in), 201).json(e.t)["url"].(string)
	return e.srv.URL + u[strings.Index(u, "/feeds/"):]
}

// renderedEvents reads jointcal_feed_events_rendered_total from /metrics.
func (e *env) renderedEvents() int {
	e.t.Helper()
	m := e.expect(e.do("GET", "/metrics", "", nil), 200)
	match := regexp.MustCompile(`(?m)^jointcal_feed_events_rendered_total (\d+)`).FindSubmatch(m.Body)
	if match == nil {
		e.t.Fatalf("metrics lack jointcal_feed_events_rendered_total:\n%s", m.Body)
	}
	n, _ := strconv.Atoi(string(match[1]))
	return n
}

// TestFeedValidatorsIgnoreHiddenChanges (issue 9 item 4): editing an
// activity the NATO feed cannot show leaves its ETag, Last-Modified and
// bytes (DTSTAMP included) as they were; editing one it shows changes them.
func TestFeedValidatorsIgnoreHiddenChanges(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		secret := meeting("EU", "EU-only preparatory meeting", "2027-04-01T09:00:00+02:00", "2027-04-01T10:00:00+02:00", person("ana@eeas.example", true))
		secret["visibility"] = []string{"EU"}
		sid := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201))
		oid := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Open cross-briefing", "2027-04-02T09:00:00+02:00", "2027-04-02T10:00:00+02:00", body("PSC"))), 201))
		url := e.feedURL("nato_planner", "organization", "NATO", nil)
		before := e.expect(e.fetch(url), 200)

		time.Sleep(1100 * time.Millisecond) // a later second, so a leaking Last-Modified or DTSTAMP would move
		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", sid), "eu_planner", map[string]any{"title": "EU-only preparatory meeting moved"}), 200)
		after := e.expect(e.fetch(url), 200)
		for _, h := range []string{"ETag", "Last-Modified"} {
			if before.Header.Get(h) != after.Header.Get(h) {
				t.Errorf("a hidden edit changed the NATO feed's %s: %q → %q", h, before.Header.Get(h), after.Header.Get(h))
			}
		}
		if string(before.Body) != string(after.Body) {
			t.Errorf("a hidden edit changed the NATO feed's body:\n%s\n---\n%s", before.Body, after.Body)
		}
		e.expect(e.fetch(url, "If-None-Match", before.Header.Get("ETag")), 304)

		e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", oid), "eu_planner", map[string]any{"title": "Open cross-briefing moved"}), 200)
		changed := e.expect(e.fetch(url, "If-None-Match", before.Header.Get("ETag")), 200)
		for _, h := range []string{"ETag", "Last-Modified"} {
			if changed.Header.Get(h) == before.Header.Get(h) {
				t.Errorf("a visible edit left the NATO feed's %s at %q", h, before.Header.Get(h))
			}
		}
		stamp := regexp.MustCompile(`DTSTAMP:(\S+)`)
		if string(stamp.Find(changed.Body)) == string(stamp.Find(before.Body)) || !strings.Contains(string(changed.Body), "Open cross-briefing moved") {
			t.Errorf("a visible edit left DTSTAMP or the title as they were:\n%s", changed.Body)
		}
	})
}

// TestFeedRerendersOnlyWhatChanged (issue 16): after one activity of a
// feed changes, only that activity is rendered again, and the result is
// the feed a fresh render gives.
func TestFeedRerendersOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	var ids []int64
	for i := range 12 {
		day := fmt.Sprintf("2027-06-%02d", i+1)
		ids = append(ids, idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", fmt.Sprintf("Staff talks %d", i), day+"T09:00:00+02:00", day+"T10:00:00+02:00")), 201)))
	}
	url := e.feedURL("eu_planner", "organization", "EU", nil)
	start := e.renderedEvents()
	first := e.expect(e.fetch(url), 200)
	if n := e.renderedEvents() - start; n != 12 {
		t.Fatalf("first fetch rendered %d events, want 12", n)
	}
	// A second feed with other eyes on the same activities renders nothing.
	e.expect(e.fetch(e.feedURL("eu_viewer", "person", "ana@eeas.example", nil)), 200)
	e.expect(e.fetch(url+"?from=2027-06-05T00:00:00Z&to=2027-06-07T00:00:00Z"), 200)
	if n := e.renderedEvents() - start; n != 12 {
		t.Fatalf("other feeds and windows over cached events rendered %d, want 0 more", n-12)
	}
	e.expect(e.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", ids[7]), "eu_planner", map[string]any{"title": "Staff talks seven"}), 200)
	second := e.expect(e.fetch(url), 200)
	if n := e.renderedEvents() - start; n != 13 {
		t.Fatalf("after one change %d events were rendered again, want 1", n-12)
	}
	if second.Header.Get("ETag") == first.Header.Get("ETag") || !strings.Contains(string(second.Body), "Staff talks seven") {
		t.Fatalf("the change is not in the feed:\n%s", second.Body)
	}
	// The same feed from a server with an empty cache is byte-identical.
	fresh := newEnvOn(t, e)
	if got := e.expect(fresh.fetch(fresh.srv.URL+url[len(e.srv.URL):]), 200); string(got.Body) != string(second.Body) {
		t.Fatalf("cached assembly differs from a cold render:\n%s\n---\n%s", second.Body, got.Body)
	}
}

// TestFeedWindows: windows are widened to whole UTC days (so arbitrary
// ?from= values share one listing) and may not exceed the longest window.
func TestFeedWindows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	e.expect(e.do("POST", "/api/v1/activities", "eu_planner", meeting("EU", "Staff talks", "2027-06-10T09:00:00+02:00", "2027-06-10T10:00:00+02:00")), 201)
	url := e.feedURL("eu_planner", "organization", "EU", nil)
	aligned := e.expect(e.fetch(url+"?from=2027-06-10T00:00:00Z&to=2027-06-11T00:00:00Z"), 200)
	if !strings.Contains(string(aligned.Body), "Staff talks") {
		t.Fatalf("the window's activity is missing:\n%s", aligned.Body)
	}
	for _, q := range []string{"?from=2027-06-10T07:59:13Z&to=2027-06-10T08:00:00Z", "?from=2027-06-10T00:00:01Z&to=2027-06-10T23:59:59Z"} {
		r := e.expect(e.fetch(url+q), 200)
		if r.Header.Get("ETag") != aligned.Header.Get("ETag") || string(r.Body) != string(aligned.Body) {
			t.Errorf("%s: not the whole-day window's feed", q)
		}
	}
	for _, tc := range []struct{ query, field string }{
		{"?from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z", "to"},
		{"?from=2027-06-10T00:00:00Z&to=2027-06-09T00:00:00Z", "to"},
		{"?from=yesterday", "from"},
	} {
		r := e.expect(e.fetch(url+tc.query), 400)
		p := r.json(t)
		errs, _ := p["errors"].([]any)
		if r.Header.Get("Content-Type") != "application/problem+json" || len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.field {
			t.Errorf("%s: want a problem naming %s, got %s", tc.query, tc.field, r.Body)
		}
	}
	if msg := e.expect(e.fetch(url+"?from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z"), 400).json(t)["detail"].(string); !strings.Contains(msg, "at most") {
		t.Errorf("the limit is not named: %s", msg)
	}
}

// TestFeedsPerOwnerLimit: an owner has at most JOINTCAL_MAX_FEEDS_PER_OWNER
// (default 20) live feeds; the next is a 422 naming the limit and creates
// nothing; revoking one makes room.
func TestFeedsPerOwnerLimit(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		owner := map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}
		var first int64
		for i := range 20 {
			f := e.expect(e.do("POST", "/api/v1/feeds", "eu_viewer", map[string]any{"name": fmt.Sprintf("feed %d", i), "owner": owner}), 201).json(t)
			if i == 0 {
				first = int64(f["id"].(float64))
			}
		}
		// Another owner is not affected.
		e.expect(e.do("POST", "/api/v1/feeds", "eu_planner", map[string]any{"name": "org feed", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}), 201)
		r := e.expect(e.do("POST", "/api/v1/feeds", "eu_planner", map[string]any{"name": "one too many", "owner": owner}), 422)
		p := r.json(t)
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != "owner" || !strings.Contains(errs[0].(map[string]any)["message"].(string), "20") {
			t.Fatalf("want a 422 naming owner and the limit of 20, got %s", r.Body)
		}
		if n := len(e.expect(e.do("GET", "/api/v1/feeds?limit=100", "admin", nil), 200).json(t)["items"].([]any)); n != 21 {
			t.Fatalf("%d feeds exist after the refused one, want 21", n)
		}
		e.expect(e.do("DELETE", fmt.Sprintf("/api/v1/feeds/%d", first), "eu_viewer", nil), 204)
		e.expect(e.do("POST", "/api/v1/feeds", "eu_planner", map[string]any{"name": "in its place", "owner": owner}), 201)
	})
}

// newEnvOn is a second server on e's store and tokens, with caches of its
// own (a restarted process, or another instance).
func newEnvOn(t *testing.T, e *env) *env {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(e.store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(s.Close)
	t.Cleanup(srv.Close)
	return &env{t: t, store: e.store, server: s, srv: srv, tokens: e.tokens}
}
