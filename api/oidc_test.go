package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
	"github.com/oauth2-proxy/mockoidc"
)

// oidcEnv is the API test environment signed in to a real OpenID
// provider (mockoidc) running inside the test.
type oidcEnv struct {
	*env
	op *mockoidc.MockOIDC

	mu sync.Mutex
	// forgeNonce, when set, replaces the nonce jointcal sent to the
	// provider, so the ID token comes back with another one.
	forgeNonce string
}

const oidcMapping = "eu-planners=planner:EU,nato-planners=planner:NATO,jc-admins=admin"

// newOIDCEnv starts a provider and a jointcal configured for it; vars
// adds or overrides settings.
func newOIDCEnv(t *testing.T, s *storage.Store, vars map[string]string) *oidcEnv {
	t.Helper()
	e := newEnv(t, s)
	o := &oidcEnv{env: e}
	op, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	err = op.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			o.mu.Lock()
			forged := o.forgeNonce
			o.mu.Unlock()
			if forged != "" && r.URL.Path == mockoidc.AuthorizationEndpoint {
				q := r.URL.Query()
				q.Set("nonce", forged)
				r.URL.RawQuery = q.Encode()
			}
			next.ServeHTTP(w, r)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Shutdown() })
	o.op = op

	// jointcal's base URL is the test server's, known once it listens.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	settings := map[string]string{
		"JOINTCAL_BASE_URL": srv.URL, "JOINTCAL_OIDC_ISSUER": op.Issuer(), "JOINTCAL_OIDC_CLIENT_ID": op.ClientID, "JOINTCAL_OIDC_CLIENT_SECRET": op.ClientSecret,
		"JOINTCAL_OIDC_SCOPES": "openid email profile groups", "JOINTCAL_OIDC_GROUPS_CLAIM": "groups", "JOINTCAL_OIDC_GROUP_GRANTS": oidcMapping,
	}
	for k, v := range vars {
		settings[k] = v
	}
	cfg, err := config.Load(func(k string) string { return settings[k] })
	if err != nil {
		t.Fatal(err)
	}
	server := api.New(s, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	handler = server.Handler()
	t.Cleanup(server.Close)
	t.Cleanup(srv.Close)
	e.server, e.srv = server, srv
	return o
}

func (o *oidcEnv) setForgedNonce(n string) {
	o.mu.Lock()
	o.forgeNonce = n
	o.mu.Unlock()
}

// toProvider starts a sign-in in the browser and returns where jointcal
// sends it: the provider's authorisation URL.
func (o *oidcEnv) toProvider(b *browser) *url.URL {
	t := o.t
	t.Helper()
	r := o.expect(b.do("GET", "/signin/oidc", nil, ""), 302)
	to, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(to.String(), o.op.AuthorizationEndpoint()) {
		t.Fatalf("start redirects to %q", r.Header.Get("Location"))
	}
	return to
}

// authorize signs user in at the provider and returns the callback the
// provider sends the browser back to (not yet followed).
func (o *oidcEnv) authorize(b *browser, user *mockoidc.MockUser) *url.URL {
	t := o.t
	t.Helper()
	to := o.toProvider(b)
	o.op.QueueUser(user)
	res, err := b.client.Get(to.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(back.String(), o.srv.URL+"/signin/oidc/callback?") {
		t.Fatalf("provider answered %d, to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return back
}

// signInOIDC goes through the whole flow and expects a session.
func (o *oidcEnv) signInOIDC(b *browser, user *mockoidc.MockUser) {
	o.t.Helper()
	back := o.authorize(b, user)
	r := o.expect(b.do("GET", back.RequestURI(), nil, ""), 303)
	if r.Header.Get("Location") != "/calendar" {
		o.t.Fatalf("signed in to %q", r.Header.Get("Location"))
	}
}

func user(email string, groups ...string) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: "sub-" + strings.ToLower(email), Email: email, EmailVerified: true, PreferredUsername: strings.Split(email, "@")[0], Groups: groups}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func expectPage(t *testing.T, r response, status int, says string) {
	t.Helper()
	if r.Status != status || !strings.Contains(string(r.Body), says) || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d (want %d), page %s (want %q)", r.Status, status, r.Body, says)
	}
}

func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		o := newOIDCEnv(t, s, nil)
		ctx := context.Background()
		b := newBrowser(o.env)

		// The start: PKCE S256, state, nonce, the derived redirect URI,
		// and the state in a short-lived HttpOnly Lax cookie.
		start := o.expect(b.do("GET", "/signin/oidc", nil, ""), 302)
		to, _ := url.Parse(start.Header.Get("Location"))
		q := to.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
			q.Get("redirect_uri") != o.srv.URL+"/signin/oidc/callback" || q.Get("client_id") != o.op.ClientID || q.Get("response_type") != "code" {
			t.Fatalf("authorisation URL %s", to)
		}
		ck := start.Header.Get("Set-Cookie")
		for _, want := range []string{"jointcal_oidc_state=" + q.Get("state"), "HttpOnly", "SameSite=Lax", "Max-Age=600", "Path=/signin/oidc"} {
			if !strings.Contains(ck, want) {
				t.Fatalf("state cookie %q lacks %q", ck, want)
			}
		}

		// Success: the address matches whatever its case; the group
		// gives a planner grant.
		o.signInOIDC(b, user("Ana@EEAS.example", "eu-planners", "unmapped"))
		me := o.expect(b.do("GET", "/api/v1/me", nil, ""), 200).json(t)
		if me["role"] != "planner" || me["organization"] != "EU" || me["authenticated_by"] != "session" || me["person"].(map[string]any)["email"] != "ana@eeas.example" {
			t.Fatalf("me: %v", me)
		}
		sessions := o.expect(b.do("GET", "/api/v1/me/sessions", nil, ""), 200).json(t)["items"].([]any)
		if len(sessions) != 1 || sessions[0].(map[string]any)["method"] != "oidc" {
			t.Fatalf("sessions: %v", sessions)
		}

		// Group mapping follows the provider: another group, another grant;
		// the grant of the group she left is withdrawn.
		b2 := newBrowser(o.env)
		o.signInOIDC(b2, user("ana@eeas.example", "jc-admins"))
		if me := o.expect(b2.do("GET", "/api/v1/me", nil, ""), 200).json(t); me["role"] != "admin" {
			t.Fatalf("after joining jc-admins: %v", me)
		}
		grantPage, err := s.ListGrants(ctx, models.System(), "ana@eeas.example", models.ListOptions{})
		grants := grantPage.Items
		if err != nil || len(grants) != 1 || grants[0].Role != models.RoleAdmin {
			t.Fatalf("grants: %+v %v", grants, err)
		}

		// A replayed code: a fresh attempt (valid state) carrying a code
		// the provider already exchanged.
		first := o.authorize(b, user("ben@nato.example"))
		o.expect(b.do("GET", first.RequestURI(), nil, ""), 303)
		second := o.authorize(b, user("ben@nato.example"))
		replay := second.Query()
		replay.Set("code", first.Query().Get("code"))
		expectPage(t, b.do("GET", "/signin/oidc/callback?"+replay.Encode(), nil, ""), 400, "refused the sign-in code")
		// The same return twice: the attempt is used up with its cookie.
		expectPage(t, b.do("GET", first.RequestURI(), nil, ""), 400, "wrong or missing state")

		// Wrong state: tampered, or a return that another browser started
		// (login CSRF).
		back := o.authorize(b, user("ben@nato.example"))
		tampered := back.Query()
		tampered.Set("state", tampered.Get("state")+"x")
		expectPage(t, b.do("GET", "/signin/oidc/callback?"+tampered.Encode(), nil, ""), 400, "wrong or missing state")
		victim := newBrowser(o.env)
		expectPage(t, victim.do("GET", back.RequestURI(), nil, ""), 400, "wrong or missing state")
		o.expect(victim.do("GET", "/api/v1/me", nil, ""), 401)

		// Wrong nonce: the provider issues the token for another nonce.
		o.setForgedNonce("a-nonce-jointcal-never-sent")
		back = o.authorize(b, user("ben@nato.example"))
		o.setForgedNonce("")
		expectPage(t, b.do("GET", back.RequestURI(), nil, ""), 400, "wrong nonce")

		// The provider's own refusal is shown once the state matches.
		to = o.toProvider(b)
		refusal := url.Values{"state": {to.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"the user cancelled"}}
		expectPage(t, b.do("GET", "/signin/oidc/callback?"+refusal.Encode(), nil, ""), 400, "access_denied (the user cancelled)")

		// An address nobody has: a 403 page, audited, nobody created.
		stranger := newBrowser(o.env)
		back = o.authorize(stranger, user("mallory@example.org", "jc-admins"))
		expectPage(t, stranger.do("GET", back.RequestURI(), nil, ""), 403, "not known to jointcal")
		o.expect(stranger.do("GET", "/api/v1/me", nil, ""), 401)
		if _, err := s.GetPerson(ctx, "mallory@example.org"); err == nil {
			t.Fatal("a person was created with JOINTCAL_OIDC_CREATE_PEOPLE off")
		}
		var failed []map[string]any
		for _, it := range o.expect(o.do("GET", "/api/v1/audit?entity=person", "admin", nil), 200).json(t)["items"].([]any) {
			if entry := it.(map[string]any); entry["action"] == "sign_in_failed" {
				failed = append(failed, entry)
			}
		}
		if len(failed) != 1 || !strings.Contains(failed[0]["reason"].(string), "not known") || !strings.Contains(string(mustJSON(t, failed[0]["after"])), "mallory@example.org") {
			t.Fatalf("audit of the refusal: %v", failed)
		}
	})
}

// TestOIDCCreatesPeople: with creation on, a first sign-in makes the
// person, in the organisation of the grant their group gives.
func TestOIDCCreatesPeople(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		o := newOIDCEnv(t, s, map[string]string{"JOINTCAL_OIDC_CREATE_PEOPLE": "on"})
		b := newBrowser(o.env)
		o.signInOIDC(b, user("dora@nato.example", "nato-planners"))
		me := o.expect(b.do("GET", "/api/v1/me", nil, ""), 200).json(t)
		p := me["person"].(map[string]any)
		if me["role"] != "planner" || me["organization"] != "NATO" || p["email"] != "dora@nato.example" || p["name"] != "dora" || p["organization"] != "NATO" || p["timezone"] != "UTC" {
			t.Fatalf("me: %v", me)
		}
		// Without a mapped group the new person is a viewer of no
		// organisation.
		b2 := newBrowser(o.env)
		o.signInOIDC(b2, user("eve@example.org"))
		if me := o.expect(b2.do("GET", "/api/v1/me", nil, ""), 200).json(t); me["role"] != "viewer" || me["organization"] != nil && me["organization"] != "" {
			t.Fatalf("me: %v", me)
		}
	})
}

// TestOIDCRefusals: off, provider down, misconfigured mapping, and the
// per-client limit on failures.
func TestOIDCRefusals(t *testing.T) {
	t.Parallel()
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, storagetest.Open(t))
		b := newBrowser(e)
		expectPage(t, b.do("GET", "/signin/oidc", nil, ""), 404, "no OpenID Connect provider")
		expectPage(t, b.do("GET", "/signin/oidc/callback?state=x&code=y", nil, ""), 404, "no OpenID Connect provider")
	})
	t.Run("provider down", func(t *testing.T) {
		t.Parallel()
		// Closed port: the server starts anyway (discovery is lazy).
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		issuer := "http://" + ln.Addr().String()
		ln.Close()
		o := newOIDCEnv(t, storagetest.Open(t), map[string]string{"JOINTCAL_OIDC_ISSUER": issuer})
		expectPage(t, newBrowser(o.env).do("GET", "/signin/oidc", nil, ""), 503, "cannot reach the identity provider")
	})
	t.Run("mapping names an unknown organisation", func(t *testing.T) {
		t.Parallel()
		s := storagetest.Open(t)
		o := newOIDCEnv(t, s, map[string]string{"JOINTCAL_OIDC_GROUP_GRANTS": "un-planners=planner:UN"})
		b := newBrowser(o.env)
		back := o.authorize(b, user("ana@eeas.example", "un-planners"))
		expectPage(t, b.do("GET", back.RequestURI(), nil, ""), 500, "JOINTCAL_OIDC_GROUP_GRANTS")
		o.expect(b.do("GET", "/api/v1/me", nil, ""), 401)
	})
	t.Run("failures are limited per client", func(t *testing.T) {
		t.Parallel()
		o := newOIDCEnv(t, storagetest.Open(t), nil)
		b := newBrowser(o.env)
		for i := 0; i < 20; i++ {
			expectPage(t, b.do("GET", "/signin/oidc/callback?state=forged&code=x", nil, ""), 400, "wrong or missing state")
		}
		r := b.do("GET", "/signin/oidc/callback?state=forged&code=x", nil, "")
		expectPage(t, r, 429, "Too many")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		expectPage(t, b.do("GET", "/signin/oidc", nil, ""), 429, "Too many")
	})
}

// TestOIDCBindsPeopleToTheirAccount: the first account that signs in as a
// person is theirs; another account of the provider that merely claims
// the same address is refused, and the person's grants are not reached.
func TestOIDCBindsPeopleToTheirAccount(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		o := newOIDCEnv(t, s, nil)
		b := newBrowser(o.env)
		o.signInOIDC(b, user("ana@eeas.example", "eu-planners"))
		impostor := user("ana@eeas.example", "eu-planners")
		impostor.Subject = "someone-else"
		b2 := newBrowser(o.env)
		back := o.authorize(b2, impostor)
		expectPage(t, b2.do("GET", back.RequestURI(), nil, ""), http.StatusForbidden, "does not know for ana@eeas.example")
		o.expect(b2.do("GET", "/api/v1/me", nil, ""), 401)
		// Ana herself still signs in.
		o.signInOIDC(newBrowser(o.env), user("ana@eeas.example", "eu-planners"))
	})
}
