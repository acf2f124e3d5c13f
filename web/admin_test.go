package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var adminPages = []string{"/admin", "/admin/organizations", "/admin/bodies", "/admin/people", "/admin/grants", "/admin/venues", "/admin/blackouts", "/admin/tokens", "/admin/external", "/admin/outbox", "/admin/jobs", "/admin/audit"}

func TestAdminPagesAreForAdministrators(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.signedIn(adminEmail)
	planner := s.signedIn(euPlannerEmail)
	for _, path := range adminPages {
		if r := admin.get(path); r.status != http.StatusOK || strings.Contains(r.body, "admin.") {
			t.Errorf("admin GET %s: %d (or an untranslated key)", path, r.status)
		}
		if r := planner.get(path); r.status != http.StatusForbidden {
			t.Errorf("planner GET %s: %d, want 403", path, r.status)
		}
	}
	if r := planner.get("/calendar"); strings.Contains(r.body, `href="/admin"`) {
		t.Error("a planner's menu offers the administration")
	}
	if r := admin.get("/calendar"); !strings.Contains(r.body, `href="/admin"`) {
		t.Error("an administrator's menu lacks the administration")
	}
	// A planner's POST is refused too, with or without a valid form.
	if r := planner.post("/admin/venues", url.Values{"csrf_token": {planner.csrf()}, "code": {"X1"}, "name": {"X"}}); r.status != http.StatusForbidden {
		t.Errorf("planner POST /admin/venues: %d", r.status)
	}
	// Newest first in the audit log, filters kept.
	if r := admin.get("/admin/audit?entity=nothing"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Errorf("a bad audit filter: %d", r.status)
	}
}

func TestAdminVenuesAndTokens(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(adminEmail)
	r := c.post("/admin/venues", url.Values{"csrf_token": {c.csrf()}, "code": {""}, "name": {"Room"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("venue without a code: %d", r.status)
	}
	if i := strings.Index(r.body, `id="f-code"`); i < 0 || !strings.Contains(r.body[i:i+200], `aria-invalid="true"`) || !strings.Contains(r.body, `value="Room"`) {
		t.Error("the code field is not marked, or the form lost what was typed")
	}
	r = c.post("/admin/venues", url.Values{"csrf_token": {c.csrf()}, "code": {"ROOM-7"}, "name": {"Room seven"}, "timezone": {"Europe/Brussels"}, "virtual": {"true"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create venue: %d %s", r.status, r.body)
	}
	list := c.get("/admin/venues")
	m := regexp.MustCompile(`action="/admin/venues/(\d+)/delete"[^>]*>.{0,200}Delete ROOM-7`).FindStringSubmatch(list.body)
	if !strings.Contains(list.body, "Room seven") || m == nil {
		t.Fatalf("the new venue is not listed with its delete button")
	}
	if r := c.post("/admin/venues/"+m[1]+"/delete", url.Values{"csrf_token": {c.csrf()}}); r.status != http.StatusOK || !strings.Contains(r.body, `name="confirm"`) {
		t.Fatalf("delete asks first: %d", r.status)
	}
	if r := c.post("/admin/venues/"+m[1]+"/delete", url.Values{"csrf_token": {c.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if strings.Contains(c.get("/admin/venues").body, "Room seven") {
		t.Error("the venue is still listed")
	}
	// A service token: the secret once, then revoked.
	r = c.post("/admin/tokens", url.Values{"csrf_token": {c.csrf()}, "name": {"robot"}, "role": {"viewer"}, "organization": {"EU"}})
	sec := regexp.MustCompile(`id="admin-secret" type="text" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusCreated || sec == nil {
		t.Fatalf("create token: %d", r.status)
	}
	if _, err := s.Store.Authenticate(context.Background(), sec[1]); err != nil {
		t.Fatalf("the token shown does not work: %v", err)
	}
	id := regexp.MustCompile(`action="/admin/tokens/(\d+)/revoke"[^>]*>.{0,200}Revoke robot`).FindStringSubmatch(r.body)
	if id == nil {
		t.Fatal("no revoke button for the token")
	}
	if r := c.post("/admin/tokens/"+id[1]+"/revoke", url.Values{"csrf_token": {c.csrf()}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if _, err := s.Store.Authenticate(context.Background(), sec[1]); err == nil {
		t.Error("a revoked token still works")
	}
	// The audit log shows the changes, newest first.
	audit := c.get("/admin/audit")
	if i, j := strings.Index(audit.body, "token "+id[1]), strings.Index(audit.body, "venue "+m[1]); i < 0 || j < 0 || i > j {
		t.Errorf("audit log: token at %d, venue at %d", i, j)
	}
}

// Editing a body's members; a stale edit comes back with the body as it
// is now and writes nothing.
func TestAdminEditsABody(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.signedIn(adminEmail)
	list := c.get("/admin/bodies")
	m := regexp.MustCompile(`href="(/admin/bodies/(\d+)/edit)"`).FindStringSubmatch(list.body)
	if m == nil {
		t.Fatal("no edit link on the bodies page")
	}
	page := c.get(m[1])
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.body)
	code := regexp.MustCompile(`id="f-code" name="code" type="text" value="([^"]*)"`).FindStringSubmatch(page.body)
	org := regexp.MustCompile(`<option value="([^"]+)" selected>`).FindStringSubmatch(page.body)
	if page.status != http.StatusOK || version == nil || code == nil || org == nil {
		t.Fatalf("edit page: %d", page.status)
	}
	form := url.Values{"csrf_token": {c.csrf()}, "version": {version[1]}, "code": {code[1]}, "name": {"Renamed body"}, "organization": {org[1]}, "members": {euPlannerEmail}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("members", "nobody@nowhere.example")
	if r := c.post("/admin/bodies/"+m[2], bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Fatalf("an unknown member: %d", r.status)
	}
	if r := c.post("/admin/bodies/"+m[2], form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	after := c.get("/admin/bodies")
	if !strings.Contains(after.body, "Renamed body") || !strings.Contains(after.body, euPlannerEmail) {
		t.Error("the change is not listed")
	}
	// The same form again carries the old version: stale.
	form.Set("name", "Second rename")
	r := c.post("/admin/bodies/"+m[2], form)
	if r.status != http.StatusPreconditionFailed || !strings.Contains(r.body, `value="Renamed body"`) {
		t.Fatalf("stale save: %d", r.status)
	}
	if strings.Contains(c.get("/admin/bodies").body, "Second rename") {
		t.Error("a stale edit was written")
	}
}
