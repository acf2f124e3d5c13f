package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// mailbox catches the sign-in links the server mails.
type mailbox struct {
	mu    sync.Mutex
	links map[string][]string // by e-mail address
	got   chan struct{}
}

func newMailbox(e *env) *mailbox {
	m := &mailbox{links: map[string][]string{}, got: make(chan struct{}, 100)}
	e.server.SetSignInMailer(func(_ context.Context, p *models.Person, link string, _ time.Time) error {
		m.mu.Lock()
		m.links[p.Email] = append(m.links[p.Email], link)
		m.mu.Unlock()
		m.got <- struct{}{}
		return nil
	})
	return m
}

func (m *mailbox) wait(t *testing.T) {
	t.Helper()
	select {
	case <-m.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no sign-in link was mailed")
	}
}

func (m *mailbox) last(email string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.links[email]
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

// browser is a client with a cookie jar, as a person's browser is.
type browser struct {
	e      *env
	client *http.Client
}

func newBrowser(e *env) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request with the browser's cookies (and, when csrf is set,
// its CSRF header), checked against the OpenAPI document when it is JSON.
func (b *browser) do(method, path string, body any, csrf string) response {
	b.e.t.Helper()
	var sent []byte
	var rd io.Reader
	ct := ""
	switch v := body.(type) {
	case nil:
	case url.Values:
		sent, ct = []byte(v.Encode()), "application/x-www-form-urlencoded"
	default:
		sent, _ = json.Marshal(v)
		ct = "application/json"
	}
	if sent != nil {
		rd = bytes.NewReader(sent)
	}
	req, _ := http.NewRequest(method, b.e.srv.URL+path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{Status: res.StatusCode, Header: res.Header, Body: raw}
	if strings.HasPrefix(path, "/api/") {
		checkContract(b.e.t, req, sent, r)
	}
	return r
}

// signIn asks for a link for email, opens it and presses the button.
func (b *browser) signIn(m *mailbox, email string) string {
	t := b.e.t
	t.Helper()
	b.e.expect(b.do("POST", "/api/v1/auth/signin-links", map[string]string{"email": email}, ""), 202)
	m.wait(t)
	link, err := url.Parse(m.last(email))
	if err != nil || link.Query().Get("token") == "" {
		t.Fatalf("link %q", m.last(email))
	}
	page := b.e.expect(b.do("GET", "/signin/link?"+link.RawQuery, nil, ""), 200)
	if !strings.Contains(string(page.Body), `<form method="post" action="/signin/link">`) || page.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("link page: %s", page.Body)
	}
	r := b.e.expect(b.do("POST", "/signin/link", url.Values{"token": {link.Query().Get("token")}}, ""), 303)
	if r.Header.Get("Location") != "/calendar" {
		t.Fatalf("redirect to %q", r.Header.Get("Location"))
	}
	return link.Query().Get("token")
}

func TestSignInWithAnEmailedLink(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := newMailbox(e)
		ctx := context.Background()
		if _, err := s.GrantRole(ctx, models.System(), models.GrantInput{Person: "ana@eeas.example", Role: models.RolePlanner, Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(e)
		e.expect(b.do("GET", "/api/v1/me", nil, ""), 401)
		token := b.signIn(m, "ana@eeas.example")

		me := e.expect(b.do("GET", "/api/v1/me", nil, ""), 200).json(t)
		if me["role"] != "planner" || me["organization"] != "EU" || me["authenticated_by"] != "session" || me["person"].(map[string]any)["email"] != "ana@eeas.example" {
			t.Fatalf("me: %v", me)
		}
		csrf, _ := me["csrf_token"].(string)
		// The link works once.
		e.expect(b.do("POST", "/signin/link", url.Values{"token": {token}}, ""), 400)

		// Writes with the session need the CSRF token.
		m1 := meeting("EU", "Booked in a browser", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		r := e.expect(b.do("POST", "/api/v1/activities", m1, ""), 403)
		if !strings.Contains(string(r.Body), "csrf") {
			t.Fatalf("refusal: %s", r.Body)
		}
		e.expect(b.do("POST", "/api/v1/activities", m1, "not-the-token"), 403)
		id := idOf(t, e.expect(b.do("POST", "/api/v1/activities", m1, csrf), 201))
		// The audit names the person.
		audit := e.expect(e.do("GET", "/api/v1/audit?entity=activity&entity_id="+itoa(id), "admin", nil), 200).json(t)
		entry := audit["items"].([]any)[0].(map[string]any)
		if entry["actor"] != "person:ana@eeas.example" || entry["person_id"] == nil {
			t.Fatalf("audit entry: %v", entry)
		}
		// Her activities: the one she takes part in through the PSC, not
		// the one she only booked, nor one of the NATO committee.
		viaBody := meeting("EU", "PSC session", "2031-06-02T09:00:00+02:00", "2031-06-02T10:00:00+02:00", body("PSC"))
		e.expect(e.do("POST", "/api/v1/activities", "eu_planner", viaBody), 201)
		e.expect(e.do("POST", "/api/v1/activities", "nato_planner", meeting("NATO", "NAC session", "2031-06-02T09:00:00+02:00", "2031-06-02T10:00:00+02:00", body("NAC"))), 201)
		mine := e.expect(b.do("GET", "/api/v1/me/activities?from=2031-01-01T00:00:00Z", nil, ""), 200).json(t)
		if mine["total"] != float64(1) || mine["items"].([]any)[0].(map[string]any)["title"] != "PSC session" {
			t.Fatalf("my activities: %v", mine)
		}
		e.expect(e.do("GET", "/api/v1/me/activities", "eu_planner", nil), 403)
		// Her own settings.
		e.expect(b.do("PATCH", "/api/v1/me", map[string]any{"language": "de"}, csrf), 422)
		me = e.expect(b.do("PATCH", "/api/v1/me", map[string]any{"language": "fr", "timezone": "America/New_York"}, csrf), 200).json(t)
		if me["language"] != "fr" || me["person"].(map[string]any)["timezone"] != "America/New_York" {
			t.Fatalf("settings: %v", me)
		}
		// Signing in again in the same browser ends the session it replaces.
		oldCookie := ""
		for _, ck := range b.client.Jar.Cookies(mustURL(t, e.srv.URL)) {
			if ck.Name == "jointcal_session" {
				oldCookie = ck.Value
			}
		}
		b.signIn(m, "ana@eeas.example")
		if _, _, err := s.SessionActor(ctx, oldCookie, models.DefaultSessionSettings()); err == nil {
			t.Fatal("the replaced session still works")
		}
		csrf = e.expect(b.do("GET", "/api/v1/me", nil, ""), 200).json(t)["csrf_token"].(string)
		// A second browser; sign out of the first, then everywhere.
		b2 := newBrowser(e)
		b2.signIn(m, "ana@eeas.example")
		sessions := e.expect(b.do("GET", "/api/v1/me/sessions", nil, ""), 200).json(t)["items"].([]any)
		if len(sessions) != 2 {
			t.Fatalf("%d sessions", len(sessions))
		}
		e.expect(b.do("POST", "/api/v1/me/signout", nil, ""), 403)
		e.expect(b.do("POST", "/api/v1/me/signout", nil, csrf), 204)
		e.expect(b.do("GET", "/api/v1/me", nil, ""), 401)
		csrf2 := e.expect(b2.do("GET", "/api/v1/me", nil, ""), 200).json(t)["csrf_token"].(string)
		ended := e.expect(b2.do("POST", "/api/v1/me/signout-everywhere", nil, csrf2), 200).json(t)
		if ended["ended"] != float64(1) {
			t.Fatalf("ended: %v", ended)
		}
		e.expect(b2.do("GET", "/api/v1/me", nil, ""), 401)
	})
}

// TestSignInLinksRevealNothing: an unknown address gets the same answer
// as a known one, and no link; a used, expired or unknown link gets the
// same page; a client asking too often is limited.
func TestSignInLinksRevealNothing(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	m := newMailbox(e)
	b := newBrowser(e)
	known := e.expect(b.do("POST", "/api/v1/auth/signin-links", map[string]string{"email": "ben@nato.example"}, ""), 202)
	m.wait(t)
	unknown := e.expect(b.do("POST", "/api/v1/auth/signin-links", map[string]string{"email": "nobody@nato.example"}, ""), 202)
	if string(known.Body) != string(unknown.Body) {
		t.Fatalf("answers differ: %s / %s", known.Body, unknown.Body)
	}
	time.Sleep(200 * time.Millisecond)
	if m.last("nobody@nato.example") != "" {
		t.Fatal("a link went to an unknown address")
	}
	bad := e.expect(b.do("POST", "/signin/link", url.Values{"token": {"jc_made-up-token-0123456789"}}, ""), 400)
	if !strings.Contains(string(bad.Body), "not valid") {
		t.Fatalf("bad link: %s", bad.Body)
	}
	// Another site's form is refused.
	req, _ := http.NewRequest("POST", e.srv.URL+"/signin/link", strings.NewReader("token=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("cross-site sign-in: %d", res.StatusCode)
	}
	// Ten requests per client per quarter hour.
	limited := false
	for i := 0; i < 12 && !limited; i++ {
		r := b.do("POST", "/api/v1/auth/signin-links", map[string]string{"email": "nobody@nato.example"}, "")
		limited = r.Status == 429 && r.Header.Get("Retry-After") != ""
	}
	if !limited {
		t.Fatal("no per-client limit")
	}
}

func TestGrantsAPI(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	g := e.expect(e.do("POST", "/api/v1/grants", "admin", map[string]any{"person": "ben@nato.example", "role": "planner", "organization": "NATO"}), 201).json(t)
	if g["person"] != "ben@nato.example" || g["organization"] != "NATO" {
		t.Fatalf("grant: %v", g)
	}
	e.expect(e.do("POST", "/api/v1/grants", "nato_planner", map[string]any{"person": "ben@nato.example", "role": "admin"}), 403)
	e.expect(e.do("POST", "/api/v1/grants", "admin", map[string]any{"person": "ben@nato.example", "role": "planner"}), 422)
	list := e.expect(e.do("GET", "/api/v1/grants?person=ben@nato.example", "admin", nil), 200).json(t)["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("grants: %v", list)
	}
	e.expect(e.do("POST", "/api/v1/grants", "admin", map[string]any{"person": "ana@eeas.example", "role": "viewer", "organization": "EU"}), 201)
	first := e.expect(e.do("GET", "/api/v1/grants?limit=1", "admin", nil), 200).json(t)
	cursor, _ := first["next_cursor"].(string)
	if first["total"] != float64(2) || len(first["items"].([]any)) != 1 || cursor == "" {
		t.Fatalf("first page: %v", first)
	}
	if second := e.expect(e.do("GET", "/api/v1/grants?limit=1&cursor="+url.QueryEscape(cursor), "admin", nil), 200).json(t); second["next_cursor"] != nil || len(second["items"].([]any)) != 1 {
		t.Fatalf("second page: %v", second)
	}
	e.expect(e.do("DELETE", "/api/v1/grants?person=ben@nato.example&role=planner&organization=NATO", "admin", nil), 204)
	e.expect(e.do("DELETE", "/api/v1/grants?person=ben@nato.example&role=planner&organization=NATO", "admin", nil), 404)
	// A token is not a person: it has no sessions or settings.
	me := e.expect(e.do("GET", "/api/v1/me", "eu_planner", nil), 200).json(t)
	if me["person"] != nil || me["role"] != "planner" || me["authenticated_by"] != "token" {
		t.Fatalf("token me: %v", me)
	}
	e.expect(e.do("PATCH", "/api/v1/me", "eu_planner", map[string]any{"language": "fr"}), 403)
}

// TestPeopleSeeWhatTheirGrantsAllow: the visibility and role rules hold
// for signed-in people as for tokens: an EU-restricted activity exists
// for EU people and administrators only, and only planners of its lead
// change it; their personal tokens see and change the same, read-only
// ones nothing.
func TestPeopleSeeWhatTheirGrantsAllow(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := newMailbox(e)
		withAccounts(t, s)
		secret := meeting("EU", "EU-only preparatory meeting", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		secret["visibility"] = []string{"EU"}
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner", secret), 201))
		path := "/api/v1/activities/" + itoa(id)
		for email, want := range map[string]struct{ sees, writes bool }{
			"ana@eeas.example":     {true, true},   // EU planner
			"chloe@eeas.example":   {true, false},  // EU person without grants: viewer
			"ben@nato.example":     {false, false}, // NATO planner
			"ada@jointcal.example": {true, true},   // administrator
		} {
			b := newBrowser(e)
			b.signIn(m, email)
			csrf := e.expect(b.do("GET", "/api/v1/me", nil, ""), 200).json(t)["csrf_token"].(string)
			get := b.do("GET", path, nil, "")
			listed := strings.Contains(string(e.expect(b.do("GET", "/api/v1/activities", nil, ""), 200).Body), "preparatory")
			if (get.Status == 200) != want.sees || listed != want.sees {
				t.Fatalf("%s: GET %d, listed %v; want sees=%v", email, get.Status, listed, want.sees)
			}
			patch := b.do("PATCH", path, map[string]any{"description": "edited by " + email}, csrf)
			switch {
			case want.writes && patch.Status != 200, !want.writes && want.sees && patch.Status != 403, !want.sees && patch.Status != 404:
				t.Fatalf("%s: PATCH %d (%s)", email, patch.Status, patch.Body)
			}
			// The person's personal tokens see and change exactly what
			// they do; a read-only one changes nothing, and its refusal
			// comes before any lookup, so it reveals nothing either.
			_, rw := createToken(e, b, csrf, map[string]any{"name": "rw", "scope": "read_write"})
			_, ro := createToken(e, b, csrf, map[string]any{"name": "ro", "scope": "read"})
			for _, who := range []string{"rw", "ro"} {
				e.tokens[email+"/"+who] = map[string]string{"rw": rw, "ro": ro}[who]
				get := e.do("GET", path, email+"/"+who, nil)
				listed := strings.Contains(string(e.expect(e.do("GET", "/api/v1/activities", email+"/"+who, nil), 200).Body), "preparatory")
				if (get.Status == 200) != want.sees || listed != want.sees {
					t.Fatalf("%s's %s token: GET %d, listed %v; want sees=%v", email, who, get.Status, listed, want.sees)
				}
				patch := e.do("PATCH", path, email+"/"+who, map[string]any{"description": "edited with a token of " + email})
				switch {
				case who == "ro" && (patch.Status != 403 || !strings.Contains(string(patch.Body), "token-read-only")),
					who == "rw" && want.writes && patch.Status != 200,
					who == "rw" && !want.writes && want.sees && patch.Status != 403,
					who == "rw" && !want.sees && patch.Status != 404:
					t.Fatalf("%s's %s token: PATCH %d (%s)", email, who, patch.Status, patch.Body)
				}
			}
		}
	})
}

// TestPeopleHaveFeedsOfTheirOwn: a signed-in person makes feeds for
// themselves (not for colleagues), lists and revokes them, and sees
// nobody else's.
func TestPeopleHaveFeedsOfTheirOwn(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := newMailbox(e)
		chloe := newBrowser(e)
		chloe.signIn(m, "chloe@eeas.example")
		csrf := e.expect(chloe.do("GET", "/api/v1/me", nil, ""), 200).json(t)["csrf_token"].(string)
		mine := e.expect(chloe.do("POST", "/api/v1/feeds", map[string]any{"name": "My agenda", "owner": map[string]any{"type": "person", "id_or_code": "chloe@eeas.example"}}, csrf), 201).json(t)
		e.expect(chloe.do("POST", "/api/v1/feeds", map[string]any{"name": "Ana's", "owner": map[string]any{"type": "person", "id_or_code": "ana@eeas.example"}}, csrf), 403)
		e.expect(chloe.do("POST", "/api/v1/feeds", map[string]any{"name": "EU", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}, csrf), 403)
		// A planner's token makes an organisation feed; Chloé does not see it.
		e.expect(e.do("POST", "/api/v1/feeds", "eu_planner", map[string]any{"name": "EU plan", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}), 201)
		list := e.expect(chloe.do("GET", "/api/v1/feeds", nil, ""), 200).json(t)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["name"] != "My agenda" {
			t.Fatalf("Chloé's feeds: %v", list)
		}
		if n := len(e.expect(e.do("GET", "/api/v1/feeds", "eu_planner", nil), 200).json(t)["items"].([]any)); n != 1 {
			t.Fatalf("the planner's token lists %d feeds, want its own 1", n)
		}
		e.expect(e.do("DELETE", "/api/v1/feeds/"+itoa(int64(mine["id"].(float64))), "eu_planner", nil), 404)
		e.expect(chloe.do("DELETE", "/api/v1/feeds/"+itoa(int64(mine["id"].(float64))), nil, csrf), 204)
	})
}

// TestPlannersCannotTakeOverPeople: a person's address is how they sign
// in, so a planner may not redirect an administrator's (or anyone's)
// address to a mailbox of their own, nor change or delete people whose
// grants reach beyond the planner's organisation. Changing an address
// ends the person's sessions and tokens.
func TestPlannersCannotTakeOverPeople(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := newMailbox(e)
		ctx := context.Background()
		admin := withAccounts(t, s)
		adminPath := "/api/v1/people/" + itoa(admin.ID)
		takeover := map[string]any{"name": "Ada Admin", "email": "attacker@nato.example", "timezone": "UTC"}
		e.expect(e.do("PATCH", adminPath, "nato_planner", takeover), 403)
		e.expect(e.do("DELETE", adminPath, "nato_planner", nil), 403)
		// Ana is an EU planner; Chloé (EU, no grant) is only a viewer.
		ana, _ := s.GetPerson(ctx, "ana@eeas.example")
		chloe, _ := s.GetPerson(ctx, "chloe@eeas.example")
		e.expect(e.do("PATCH", "/api/v1/people/"+itoa(chloe.ID), "eu_planner", map[string]any{"title": "Liaison officer"}), 200)
		e.expect(e.do("PATCH", "/api/v1/people/"+itoa(chloe.ID), "eu_planner", map[string]any{"email": "mine@eeas.example"}), 403)
		e.expect(e.do("POST", "/api/v1/people", "eu_planner", map[string]any{"name": "Nobody's", "email": "free@example.org", "timezone": "UTC"}), 403)
		// An administrator changes Ana's address: her session ends.
		b := newBrowser(e)
		b.signIn(m, "ana@eeas.example")
		e.expect(b.do("GET", "/api/v1/me", nil, ""), 200)
		e.expect(e.do("PATCH", "/api/v1/people/"+itoa(ana.ID), "admin", map[string]any{"email": "ana.new@eeas.example"}), 200)
		e.expect(b.do("GET", "/api/v1/me", nil, ""), 401)
		if got, _ := s.ActorForPerson(ctx, admin.ID); got.Role != models.RoleAdmin {
			t.Fatalf("the administrator lost their grant: %+v", got)
		}
	})
}

// TestSignInLinkPageSaysWhoAndRefusesOtherSites: the page a link opens
// names (masked) whom it signs in, so a link sent by someone else is
// recognised; a used link is refused before the button; a form posted
// from another site, or with the "null" origin, is refused; and only JSON
// asks for a link.
func TestSignInLinkPageSaysWhoAndRefusesOtherSites(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	e := newEnv(t, s)
	m := newMailbox(e)
	b := newBrowser(e)
	e.expect(b.do("POST", "/api/v1/auth/signin-links", map[string]string{"email": "chloe@eeas.example"}, ""), 202)
	m.wait(t)
	link, _ := url.Parse(m.last("chloe@eeas.example"))
	page := e.expect(b.do("GET", "/signin/link?"+link.RawQuery, nil, ""), 200)
	if !strings.Contains(string(page.Body), "c•••@eeas.example") || strings.Contains(string(page.Body), "chloe@") {
		t.Fatalf("page: %s", page.Body)
	}
	if page.Header.Get("Referrer-Policy") != "same-origin" {
		t.Fatalf("Referrer-Policy %q: a browser would post the form with Origin: null", page.Header.Get("Referrer-Policy"))
	}
	for _, origin := range []string{"null", "https://evil.example"} {
		req, _ := http.NewRequest("POST", e.srv.URL+"/signin/link", strings.NewReader(url.Values{"token": {link.Query().Get("token")}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("Origin %s: %d", origin, res.StatusCode)
		}
	}
	// The refused posts did not use the link; the real one does.
	req, _ := http.NewRequest("POST", e.srv.URL+"/signin/link", strings.NewReader(url.Values{"token": {link.Query().Get("token")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin sign-in: %d", res.StatusCode)
	}
	used := e.expect(b.do("GET", "/signin/link?"+link.RawQuery, nil, ""), 400)
	if !strings.Contains(string(used.Body), "not valid") {
		t.Fatalf("used link page: %s", used.Body)
	}
	// Only JSON asks for a link.
	req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/auth/signin-links", strings.NewReader(`{"email":"chloe@eeas.example"}`))
	req.Header.Set("Content-Type", "text/plain")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("a text/plain request for a link: %d", res.StatusCode)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// withAccounts makes Ada an administrator (a person of no organisation),
// Ana a planner of the EU and Ben a planner of NATO; it returns Ada.
func withAccounts(t *testing.T, s *storage.Store) *models.Person {
	t.Helper()
	ctx, sys := context.Background(), models.System()
	ada, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ada Admin", Email: "ada@jointcal.example", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []models.GrantInput{
		{Person: "ada@jointcal.example", Role: models.RoleAdmin},
		{Person: "ana@eeas.example", Role: models.RolePlanner, Organization: "EU"},
		{Person: "ben@nato.example", Role: models.RolePlanner, Organization: "NATO"},
	} {
		if _, err := s.GrantRole(ctx, sys, g); err != nil {
			t.Fatal(err)
		}
	}
	return ada
}
