package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/models"
)

// restrictedDemo is the demo's EU-only activity (demo/seed.json).
const restrictedDemo = "EU preparatory meeting for the formal NAC–PSC meeting on EUFOR ALTHEA"

func findActivity(t testing.TB, s *site, title string) models.ActivityView {
	t.Helper()
	page, err := s.Store.ListActivities(context.Background(), models.System(), models.ActivityFilter{Q: title})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("demo activity %q: %v (%d found)", title, err, len(page.Items))
	}
	return page.Items[0]
}

func TestPagesNeedASession(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.client()
	for _, path := range []string{"/calendar", "/calendar?view=week&kind=meeting", "/activities/1"} {
		r := c.get(path)
		want := "/signin?next=" + url.QueryEscape(path)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, r.status, r.header.Get("Location"), want)
		}
	}
	if r := c.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/calendar" {
		t.Errorf("GET /: %d %q", r.status, r.header.Get("Location"))
	}
	// The component's requests get a status, not a page to follow.
	if r := c.do("GET", "/calendar/events?start=2026-01-01&end=2026-02-01", nil, map[string]string{"Accept": "application/json"}); r.status != http.StatusUnauthorized {
		t.Errorf("events without a session: %d", r.status)
	}
}

func TestSignInReturnsToThePageAskedFor(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.client()
	c.get("/signin?next=" + url.QueryEscape("/calendar?view=week"))
	link, _ := url.Parse(s.link(euPlannerEmail))
	r := c.post("/signin/link", url.Values{"token": {link.Query().Get("token")}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/calendar?view=week" {
		t.Fatalf("after sign-in: %d to %q", r.status, r.header.Get("Location"))
	}
	// An address elsewhere is never followed.
	c2 := s.client()
	c2.get("/signin?next=" + url.QueryEscape("https://evil.example/"))
	link, _ = url.Parse(s.link(natoPlannerEmail))
	if r := c2.post("/signin/link", url.Values{"token": {link.Query().Get("token")}}); r.header.Get("Location") != "/calendar" {
		t.Fatalf("foreign next: redirected to %q", r.header.Get("Location"))
	}
}

func TestSignInForm(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.client()
	tests := []struct {
		name   string
		email  string
		origin string
		status int
		want   string
	}{
		{"not an address", "claire", "", http.StatusUnprocessableEntity, `aria-invalid="true"`},
		{"from another site", euPlannerEmail, "https://evil.example", http.StatusForbidden, "another site"},
		{"no e-mail on this instance", euPlannerEmail, "", http.StatusServiceUnavailable, "cannot send e-mail"},
	}
	for _, tc := range tests {
		origin := tc.origin
		if origin == "" {
			origin = s.URL
		}
		r := c.do("POST", "/signin", strings.NewReader(url.Values{"email": {tc.email}}.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
		if r.status != tc.status || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s: %d, want %d with %q in\n%s", tc.name, r.status, tc.status, tc.want, r.body)
		}
	}
	c.lang = "fr-BE,fr;q=0.9,en;q=0.5"
	if r := c.get("/signin"); r.status != 200 || !strings.Contains(r.body, `<html lang="fr">`) || !strings.Contains(r.body, "Connexion") {
		t.Errorf("French sign-in page: %d\n%s", r.status, r.body)
	}
}

func TestCalendarShowsWhatThePersonMaySee(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	hidden := findActivity(t, s, restrictedDemo)
	month := "/calendar?date=" + hidden.Start.Format("2006-01-02")
	eu, nato := s.signedIn(euPlannerEmail), s.signedIn(natoPlannerEmail)

	r := eu.get(month)
	if r.status != 200 || !strings.Contains(r.body, restrictedDemo) {
		t.Fatalf("EU planner's month lacks the EU activity: %d", r.status)
	}
	for name, r := range map[string]answer{
		"calendar": nato.get(month),
		"list":     nato.get(month + "&view=list"),
		"events":   nato.do("GET", "/calendar/events?start="+hidden.Start.AddDate(0, 0, -1).Format("2006-01-02")+"&end="+hidden.Start.AddDate(0, 0, 2).Format("2006-01-02"), nil, map[string]string{"Accept": "application/json"}),
		"search":   nato.get("/calendar?date=" + hidden.Start.Format("2006-01-02") + "&series=&area=operational_maritime"),
	} {
		if r.status != 200 || strings.Contains(r.body, "EUFOR ALTHEA\u00a0") || strings.Contains(r.body, "EU preparatory") {
			t.Errorf("NATO planner's %s: %d, and shows the EU-only activity? %v", name, r.status, strings.Contains(r.body, "EU preparatory"))
		}
	}
	page := "/activities/" + strconv.FormatInt(hidden.ID, 10)
	if r := nato.get(page); r.status != http.StatusNotFound || strings.Contains(r.body, "EU preparatory") {
		t.Errorf("NATO planner opens the EU-only activity: %d", r.status)
	}
	if r := eu.get(page); r.status != 200 || !strings.Contains(r.body, restrictedDemo) || !strings.Contains(r.body, "Restricted to EU") {
		t.Errorf("EU planner's activity page: %d", r.status)
	}
	if r := nato.get("/activities/999999999"); r.status != http.StatusNotFound {
		t.Errorf("missing activity: %d", r.status)
	}
}

func TestCalendarEventsAreTheVisibleOccurrences(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	from := s.Today.AddDate(0, -1, 0).Format("2006-01-02")
	to := s.Today.AddDate(0, 1, 0).Format("2006-01-02")
	r := c.do("GET", "/calendar/events?start="+from+"T00:00:00&end="+to+"T00:00:00", nil, map[string]string{"Accept": "application/json"})
	var events []struct {
		Title, Start, End string
		Props             map[string]string `json:"extendedProps"`
	}
	if err := json.Unmarshal([]byte(r.body), &events); err != nil || r.status != 200 {
		t.Fatalf("events: %d %v", r.status, err)
	}
	if len(events) == 0 {
		t.Fatal("no demo activity around today")
	}
	for _, e := range events {
		if !strings.HasPrefix(e.Props["url"], "/activities/") || (len(e.Start) != len("2006-01-02T15:04:05") && len(e.Start) != len("2006-01-02")) {
			t.Errorf("event %+v", e)
		}
	}
	for _, bad := range []string{"start=x&end=y", "start=2026-01-01&end=2025-01-01", "start=2026-01-01&end=2027-01-01"} {
		if r := c.do("GET", "/calendar/events?"+bad, nil, map[string]string{"Accept": "application/json"}); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}

func TestCalendarMarksABadFilter(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	r := s.signedIn(euPlannerEmail).get("/calendar?kind=exercize&date=2026-13-40")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="f-kind" name="kind" aria-invalid="true"`) {
		t.Fatalf("bad kind: %d\n%s", r.status, r.body)
	}
}

func TestPagesAreFrenchForAFrenchPerson(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	if r := c.post("/language", url.Values{"language": {"fr"}}); r.status != http.StatusForbidden {
		t.Fatalf("language without the CSRF token: %d", r.status)
	}
	if r := c.post("/language", url.Values{"language": {"de"}, "csrf_token": {c.csrf()}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("German: %d", r.status)
	}
	if r := c.post("/language", url.Values{"language": {"fr"}, "csrf_token": {c.csrf()}}); r.status != http.StatusSeeOther {
		t.Fatalf("French: %d %s", r.status, r.body)
	}
	r := c.get("/calendar?view=list&date=2026-03-10")
	for _, want := range []string{`<html lang="fr">`, "Calendrier", "Se déconnecter", "mars 2026"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("French calendar lacks %q", want)
		}
	}
}

func TestPagesSendTheirSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	r := c.get("/calendar")
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline'; img") && strings.Contains(csp, "script-src 'unsafe-inline'") {
		t.Errorf("CSP %q", csp)
	}
	// Every script is a file of ours or inert data: nothing inline runs.
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(r.body, -1) {
		if !strings.Contains(tag, `src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("inline script %s", tag)
		}
	}
	// Static files: hashed names, a year of cache, gzip.
	assets := regexp.MustCompile(`/static/[a-z0-9.-]+\.(?:js|css)`).FindAllString(r.body, -1)
	if len(assets) < 4 {
		t.Fatalf("assets on the page: %v", assets)
	}
	for _, a := range assets {
		res := c.do("GET", a, nil, map[string]string{"Accept-Encoding": "gzip"})
		if res.status != 200 || !strings.Contains(res.header.Get("Cache-Control"), "immutable") || res.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d %q %q", a, res.status, res.header.Get("Cache-Control"), res.header.Get("Content-Encoding"))
		}
	}
	if r := c.get("/static/app.0000000000.js"); r.status != http.StatusNotFound {
		t.Errorf("unknown asset: %d", r.status)
	}
}

// TestCataloguesAreComplete: every message a template names exists in
// both languages, and both catalogues have the same keys.
func TestCataloguesAreComplete(t *testing.T) {
	t.Parallel()
	cat := map[string]map[string]string{}
	for _, l := range []string{"en", "fr"} {
		files, _ := filepath.Glob("locales/" + l + "/*.json")
		m := map[string]string{}
		for _, f := range files {
			if filepath.Base(f) == "validation.json" {
				continue // keyed by the English text; TestValidationMessagesAreTranslated
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		if len(m) < 50 {
			t.Fatalf("%s: only %d messages", l, len(m))
		}
		cat[l] = m
	}
	for k := range cat["en"] {
		if _, ok := cat["fr"][k]; !ok {
			t.Errorf("%q has no French", k)
		}
	}
	for k := range cat["fr"] {
		if _, ok := cat["en"][k]; !ok {
			t.Errorf("%q has no English", k)
		}
	}
	files, _ := os.ReadDir("templates")
	key := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	for _, f := range files {
		raw, _ := os.ReadFile("templates/" + f.Name())
		for _, m := range key.FindAllStringSubmatch(string(raw), -1) {
			if _, ok := cat["en"][m[1]]; !ok {
				t.Errorf("%s names %q, which the catalogue lacks", f.Name(), m[1])
			}
		}
	}
}

// TestLinksBackLeadToTheActivityPage: the link in feed events and
// e-mails opens the activity's page, not the JSON API.
func TestLinksBackLeadToTheActivityPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	v := findActivity(t, s, "EADRCC–ERCC bi-weekly coordination call")
	ev := v.CalendarEvent(s.URL, "jointcal.test")
	want := s.URL + "/activities/" + strconv.FormatInt(v.ID, 10)
	if ev.URL != want {
		t.Fatalf("link back %q, want %q", ev.URL, want)
	}
	if r := s.signedIn(natoPlannerEmail).get(strings.TrimPrefix(ev.URL, s.URL)); r.status != 200 || !strings.Contains(r.body, v.Title) {
		t.Fatalf("the link back answers %d", r.status)
	}
}
