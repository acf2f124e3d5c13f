package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestMePageKeepsSettings(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(euPlannerEmail)
	r := c.get("/me")
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="me-zone"`) || !strings.Contains(r.body, "this browser") {
		t.Fatalf("me page: %d", r.status)
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		marked string
	}{
		{"bad zone", url.Values{"timezone": {"Mars/Olympus"}, "language": {"en"}}, http.StatusUnprocessableEntity, `id="me-zone"`},
		{"bad offset", url.Values{"timezone": {"Europe/Paris"}, "language": {"en"}, "offsets": {"tomorrow"}}, http.StatusUnprocessableEntity, `id="me-offsets"`},
		{"good", url.Values{"timezone": {"America/Toronto"}, "language": {"fr"}, "offsets": {"p1d, PT2H"}}, http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		tt.form.Set("csrf_token", c.csrf())
		r := c.post("/me", tt.form)
		if r.status != tt.status {
			t.Fatalf("%s: status %d", tt.name, r.status)
		}
		if tt.marked != "" {
			i := strings.Index(r.body, tt.marked)
			if i < 0 || !strings.Contains(r.body[i:i+300], `aria-invalid="true"`) {
				t.Errorf("%s: %s not marked", tt.name, tt.marked)
			}
		}
	}
	me := c.get("/me?saved=1")
	if !strings.Contains(me.body, `<option value="America/Toronto" selected>`) || !strings.Contains(me.body, `lang="fr"`) || !strings.Contains(me.body, "P1D, PT2H") {
		t.Errorf("settings not kept:\n%s", me.body)
	}
	// Without CSRF nothing changes.
	if r := c.post("/me", url.Values{"timezone": {"UTC"}, "language": {"en"}}); r.status != http.StatusForbidden {
		t.Errorf("without CSRF: %d", r.status)
	}
	refusedFormInFrench(t, s, c)
}

// refusedFormInFrench: a refused form marks its fields with the store's
// objections in the page's language, the person's (c chose French) or
// else the browser's. It shares TestMePageKeepsSettings's site, whose demo
// data is the slow part of a page test.
func refusedFormInFrench(t *testing.T, s *site, c *client) {
	t.Helper()
	r := c.post("/me", url.Values{"csrf_token": {c.csrf()}, "timezone": {"Mars/Olympus"}, "language": {"fr"}, "offsets": {"tomorrow"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad settings in French: %d", r.status)
	}
	for _, want := range []string{
		`<p id="me-zone-error" class="error">fuseau horaire IANA inconnu : &#34;Mars/Olympus&#34;</p>`,
		`<p id="me-offsets-error" class="error">attendu : une durée ISO 8601 entre PT1M et P366D, comme P1D</p>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the French page lacks %s", want)
		}
	}
	other := s.signedIn(natoPlannerEmail)
	form := url.Values{"csrf_token": {other.csrf()}, "name": {""}, "scope": {"read"}, "expires_in": {"P30D"}}
	tok := other.do("POST", "/me/tokens", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": s.URL, "Accept-Language": "fr-BE, en;q=0.5"})
	if tok.status != http.StatusUnprocessableEntity || !strings.Contains(tok.body, ">obligatoire</p>") {
		t.Errorf("token without a name, French browser: %d, no French mark", tok.status)
	}
}

func TestMePageTokensAndSessions(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(natoPlannerEmail)
	other := s.signedIn(natoPlannerEmail)
	r := c.post("/me/tokens", url.Values{"csrf_token": {c.csrf()}, "name": {""}, "scope": {"read"}, "expires_in": {"P30D"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("token without a name: %d", r.status)
	}
	r = c.post("/me/tokens", url.Values{"csrf_token": {c.csrf()}, "name": {"my script"}, "scope": {"read"}, "expires_in": {"P30D"}})
	m := regexp.MustCompile(`id="token-secret" type="text" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusCreated || m == nil {
		t.Fatalf("create token: %d", r.status)
	}
	if _, err := s.Store.Authenticate(context.Background(), m[1]); err != nil {
		t.Fatalf("the token shown does not work: %v", err)
	}
	id := regexp.MustCompile(`action="/me/tokens/(\d+)/revoke"`).FindStringSubmatch(r.body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	if r := c.post("/me/tokens/"+id[1]+"/revoke", url.Values{"csrf_token": {c.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if _, err := s.Store.Authenticate(context.Background(), m[1]); err == nil {
		t.Error("a revoked token still works")
	}
	// End the other browser's session from this one.
	page := c.get("/me")
	ends := regexp.MustCompile(`action="/me/sessions/(\d+)/end"`).FindAllStringSubmatch(page.body, -1)
	if len(ends) != 2 {
		t.Fatalf("%d sessions listed, want 2", len(ends))
	}
	for _, e := range ends {
		// The current session's button says "Sign out"; end the other.
		i := strings.Index(page.body, e[0])
		if strings.Contains(page.body[i:i+200], "Sign out there") {
			if r := c.post("/me/sessions/"+e[1]+"/end", url.Values{"csrf_token": {c.csrf()}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/me" {
				t.Fatalf("end the other session: %d %s", r.status, r.header.Get("Location"))
			}
		}
	}
	if r := other.get("/me"); r.status != http.StatusSeeOther {
		t.Errorf("the ended session still works: %d", r.status)
	}
	// Everywhere: this one too.
	if r := c.post("/me/sessions/end-all", url.Values{"csrf_token": {c.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("end all: %d", r.status)
	}
	if r := c.get("/me"); r.status != http.StatusSeeOther {
		t.Errorf("signed in after signing out everywhere: %d", r.status)
	}
}
