package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// problemType is the type of a problem answer, or "" when it is none.
func problemType(t *testing.T, r response) string {
	t.Helper()
	typ, _ := r.json(t)["type"].(string)
	return typ
}

// createToken creates a personal token through b's session and returns
// its id and secret.
func createToken(e *env, b *browser, csrf string, in map[string]any) (int64, string) {
	e.t.Helper()
	r := e.expect(b.do("POST", "/api/v1/me/tokens", in, csrf), 201)
	if r.Header.Get("Cache-Control") != "no-store" {
		e.t.Fatalf("the answer with the secret may be cached: %v", r.Header)
	}
	m := r.json(e.t)
	secret, _ := m["secret"].(string)
	if !strings.HasPrefix(secret, models.TokenPrefix) {
		e.t.Fatalf("secret %q", secret)
	}
	return int64(m["id"].(float64)), secret
}

// signedIn signs email in with a new browser and returns it with its
// CSRF token.
func signedIn(e *env, m *mailbox, email string) (*browser, string) {
	e.t.Helper()
	b := newBrowser(e)
	b.signIn(m, email)
	return b, e.expect(b.do("GET", "/api/v1/me", nil, ""), 200).json(e.t)["csrf_token"].(string)
}

// TestPersonalTokens: a signed-in person creates, lists and revokes
// tokens of their own; the secret works as a bearer token with the
// person's grants as they are at each request; a read-only token changes
// nothing; a token cannot mint tokens; revoked and expired tokens are
// refused with problems that say which.
func TestPersonalTokens(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		m := newMailbox(e)
		ctx := context.Background()
		grant := models.GrantInput{Person: "ana@eeas.example", Role: models.RolePlanner, Organization: "EU"}
		if _, err := s.GrantRole(ctx, models.System(), grant); err != nil {
			t.Fatal(err)
		}
		ana, csrf := signedIn(e, m, "ana@eeas.example")
		before := time.Now()

		// Creation needs the session's CSRF token, like every write.
		e.expect(ana.do("POST", "/api/v1/me/tokens", map[string]any{"name": "script"}, ""), 403)
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": ""}, "name"},
			{map[string]any{"name": "x", "scope": "admin"}, "scope"},
			{map[string]any{"name": "x", "expires_in": "P400D"}, "expires_in"},
			{map[string]any{"name": "x", "expires_in": "tomorrow"}, "expires_in"},
		} {
			r := e.expect(ana.do("POST", "/api/v1/me/tokens", bad.body, csrf), 422)
			errs := r.json(t)["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != bad.field {
				t.Fatalf("%v: %s, want an error naming %s", bad.body, r.Body, bad.field)
			}
		}
		readID, read := createToken(e, ana, csrf, map[string]any{"name": "calendar tool", "scope": "read"})
		rwID, rw := createToken(e, ana, csrf, map[string]any{"name": "booking script", "scope": "read_write", "expires_in": "P7D"})
		e.tokens["ana_read"], e.tokens["ana_rw"] = read, rw

		list := e.expect(ana.do("GET", "/api/v1/me/tokens", nil, ""), 200)
		if strings.Contains(string(list.Body), read) || strings.Contains(string(list.Body), rw) || strings.Contains(string(list.Body), "secret") {
			t.Fatalf("the list shows secrets: %s", list.Body)
		}
		items := list.json(t)["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("tokens: %s", list.Body)
		}
		for _, it := range items {
			tok := it.(map[string]any)
			exp, _ := time.Parse(time.RFC3339, tok["expires_at"].(string))
			life := 90 * 24 * time.Hour
			if tok["name"] == "booking script" {
				life = 7 * 24 * time.Hour
			}
			if exp.Before(before.Add(life).Add(-time.Second)) || exp.After(time.Now().Add(life)) || tok["status"] != "active" || tok["last_used_at"] != nil {
				t.Fatalf("token %v, want active, unused, expiring in %s", tok, life)
			}
		}

		// The secret works as a bearer token and acts as Ana.
		me := e.expect(e.do("GET", "/api/v1/me", "ana_read", nil), 200).json(t)
		if me["role"] != "planner" || me["organization"] != "EU" || me["authenticated_by"] != "token" || me["person"].(map[string]any)["email"] != "ana@eeas.example" {
			t.Fatalf("me with a personal token: %v", me)
		}
		// A read-only token reads but changes nothing, whatever the route.
		total := e.count("/api/v1/activities", "admin")
		m1 := meeting("EU", "Booked by a script", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		for _, w := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/activities", m1},
			{"PATCH", "/api/v1/me", map[string]any{"language": "fr"}},
			{"POST", "/api/v1/me/tokens", map[string]any{"name": "child"}},
			{"DELETE", "/api/v1/me/tokens/" + itoa(readID), nil},
		} {
			r := e.expect(e.do(w.method, w.path, "ana_read", w.body), 403)
			if problemType(t, r) != "urn:jointcal:problem:token-read-only" || !strings.Contains(string(r.Body), "read-only") {
				t.Fatalf("%s %s with a read-only token: %s", w.method, w.path, r.Body)
			}
		}
		if n := e.count("/api/v1/activities", "admin"); n != total {
			t.Fatalf("a read-only token changed the activities: %d, want %d", n, total)
		}
		// A read-write token writes, and the audit names Ana and the token.
		id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "ana_rw", m1), 201))
		entry := e.expect(e.do("GET", "/api/v1/audit?entity=activity&entity_id="+itoa(id), "admin", nil), 200).json(t)["items"].([]any)[0].(map[string]any)
		if entry["actor"] != "person:ana@eeas.example" || entry["token_id"] != float64(rwID) || entry["person_id"] == nil {
			t.Fatalf("audit entry: %v", entry)
		}
		// A token cannot mint tokens, nor can a service token.
		r := e.expect(e.do("POST", "/api/v1/me/tokens", "ana_rw", map[string]any{"name": "child"}), 403)
		if !strings.Contains(string(r.Body), "cannot create tokens") {
			t.Fatalf("a token minting a token: %s", r.Body)
		}
		e.expect(e.do("POST", "/api/v1/me/tokens", "eu_planner", map[string]any{"name": "child"}), 403)

		// Grants changed after creation apply at the next request.
		if err := s.RevokeGrant(ctx, models.System(), grant); err != nil {
			t.Fatal(err)
		}
		m2 := meeting("EU", "Booked after the grant went", "2031-06-02T09:00:00+02:00", "2031-06-02T10:00:00+02:00")
		e.expect(e.do("POST", "/api/v1/activities", "ana_rw", m2), 403)
		if me := e.expect(e.do("GET", "/api/v1/me", "ana_rw", nil), 200).json(t); me["role"] != "viewer" {
			t.Fatalf("after the grant was revoked: %v", me)
		}
		if _, err := s.GrantRole(ctx, models.System(), grant); err != nil {
			t.Fatal(err)
		}
		e.expect(e.do("POST", "/api/v1/activities", "ana_rw", m2), 201)

		// Last use is recorded.
		for _, it := range e.expect(ana.do("GET", "/api/v1/me/tokens", nil, ""), 200).json(t)["items"].([]any) {
			if it.(map[string]any)["last_used_at"] == nil {
				t.Fatalf("no last use: %v", it)
			}
		}
		// Another person neither sees nor revokes Ana's tokens.
		ben, benCSRF := signedIn(e, m, "ben@nato.example")
		if items := e.expect(ben.do("GET", "/api/v1/me/tokens", nil, ""), 200).json(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("Ben lists %v", items)
		}
		e.expect(ben.do("DELETE", "/api/v1/me/tokens/"+itoa(rwID), nil, benCSRF), 404)
		e.expect(e.do("GET", "/api/v1/me", "ana_rw", nil), 200)

		// Revoked: refused with a problem that says so.
		e.expect(ana.do("DELETE", "/api/v1/me/tokens/"+itoa(rwID), nil, csrf), 204)
		e.expect(ana.do("DELETE", "/api/v1/me/tokens/"+itoa(rwID), nil, csrf), 409)
		r = e.expect(e.do("GET", "/api/v1/me", "ana_rw", nil), 401)
		if problemType(t, r) != "urn:jointcal:problem:token-revoked" {
			t.Fatalf("revoked token: %s", r.Body)
		}
		// Expired: the read token 91 days on.
		s.SetClock(func() time.Time { return time.Now().Add(91 * 24 * time.Hour) })
		r = e.expect(e.do("GET", "/api/v1/me", "ana_read", nil), 401)
		if problemType(t, r) != "urn:jointcal:problem:token-expired" {
			t.Fatalf("expired token: %s", r.Body)
		}
	})
}

// TestRevokedServiceTokenSaysSo: an administrator's revocation of a
// service token is named in the refusal, not taken for a typo.
func TestRevokedServiceTokenSaysSo(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		tok, secret, err := s.CreateToken(t.Context(), models.System(), models.TokenInput{Name: "robot", Role: models.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		e.tokens["robot"] = secret
		e.expect(e.do("GET", "/api/v1/organizations", "robot", nil), 200)
		if err := s.RevokeToken(t.Context(), models.System(), tok.ID); err != nil {
			t.Fatal(err)
		}
		for who, want := range map[string]string{"robot": "token-revoked", "unknown": "unauthenticated"} {
			if who == "unknown" {
				e.tokens[who] = "jc_never-issued-0123456789abcdef"
			}
			r := e.expect(e.do("GET", "/api/v1/organizations", who, nil), 401)
			if problemType(t, r) != "urn:jointcal:problem:"+want {
				t.Fatalf("%s: %s, want %s", who, r.Body, want)
			}
		}
	})
}
