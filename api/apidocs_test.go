package api_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAPIReference: the browsable reference is served without a token,
// under a CSP that forbids inline scripts, with no inline script of its
// own, and every file it loads is served too.
func TestAPIReference(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	page := e.expect(e.do("GET", "/api/v1/docs", "", nil), 200)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("page is %q", ct)
	}
	csp := page.Header.Get("Content-Security-Policy")
	script := regexp.MustCompile(`script-src ([^;]*)`).FindStringSubmatch(csp)
	if script == nil || strings.Contains(script[1], "unsafe-inline") || strings.Contains(script[1], "unsafe-eval") || !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q does not forbid inline scripts", csp)
	}
	html := string(page.Body)
	if regexp.MustCompile(`<script(\s[^>]*)?>\s*[^<\s]`).MatchString(html) || regexp.MustCompile(`\son[a-z]+=`).MatchString(html) {
		t.Fatalf("the page carries inline script:\n%s", html)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/api/v1/[^"]+)"`).FindAllStringSubmatch(html, -1)
	wantTypes := map[string]string{".js": "text/javascript", ".css": "text/css", ".yaml": "application/yaml"}
	seen := map[string]bool{}
	for _, m := range refs {
		path := m[1]
		seen[path] = true
		r := e.expect(e.do("GET", path, "", nil), 200)
		for ext, ct := range wantTypes {
			if strings.HasSuffix(path, ext) && !strings.HasPrefix(r.Header.Get("Content-Type"), ct) {
				t.Fatalf("%s is served as %q, want %s", path, r.Header.Get("Content-Type"), ct)
			}
		}
		if len(r.Body) < 100 && !strings.HasSuffix(path, ".yaml") {
			t.Fatalf("%s is suspiciously small: %q", path, r.Body)
		}
	}
	for _, p := range []string{"/api/v1/docs/swagger-ui-bundle.js", "/api/v1/docs/swagger-ui.css", "/api/v1/docs/init.js", "/api/v1/openapi.yaml"} {
		if !seen[p] {
			t.Fatalf("the page does not load %s: %v", p, refs)
		}
	}
	initJS := e.expect(e.do("GET", "/api/v1/docs/init.js", "", nil), 200)
	if !strings.Contains(string(initJS.Body), `"/api/v1/openapi.yaml"`) {
		t.Fatalf("init.js does not load the document:\n%s", initJS.Body)
	}
	lic := e.expect(e.do("GET", "/api/v1/docs/LICENSE", "", nil), 200)
	if !strings.Contains(string(lic.Body), "Apache License") {
		t.Fatal("the vendored licence is not served")
	}
	for _, p := range []string{"/api/v1/docs/index.html", "/api/v1/docs/VERSION", "/api/v1/docs/..%2Fapidocs.go"} {
		e.expect(e.do("GET", p, "", nil), 404)
	}
}
