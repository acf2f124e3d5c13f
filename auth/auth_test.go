package auth

import (
	"net/http"
	"testing"
	"time"
)

func TestCSRFToken(t *testing.T) {
	t.Parallel()
	a, b := CSRFToken("jc_session-one"), CSRFToken("jc_session-two")
	if a == b || a == "" || a == "jc_session-one" {
		t.Fatalf("tokens: %q %q", a, b)
	}
	if !CheckCSRF("jc_session-one", a) {
		t.Fatal("the session's own token is refused")
	}
	for _, bad := range []string{"", b, a[:len(a)-1], a + "x", "jc_session-one"} {
		if CheckCSRF("jc_session-one", bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCookies(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		cs := Cookies("secret", secure, time.Hour)
		if cs[0].Name != SessionCookie || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode || cs[0].Secure != secure || cs[0].MaxAge != 3600 {
			t.Errorf("session cookie: %+v", cs[0])
		}
		if cs[1].Name != CSRFCookie || cs[1].HttpOnly || cs[1].Value != CSRFToken("secret") || cs[1].Secure != secure {
			t.Errorf("csrf cookie: %+v", cs[1])
		}
	}
	if !SecureBase("HTTPS://cal.example") || SecureBase("http://127.0.0.1:8080") {
		t.Fatal("SecureBase")
	}
	if SafeMethod("POST") || !SafeMethod("GET") || !SafeMethod("HEAD") || SafeMethod("DELETE") {
		t.Fatal("SafeMethod")
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	l := NewLimiter(3, time.Minute)
	now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d refused", i)
		}
		now = now.Add(10 * time.Second)
	}
	if ok, retry := l.Check("a"); ok || retry != 30*time.Second {
		t.Fatalf("check at the limit: %v %v", ok, retry)
	}
	ok, retry := l.Allow("a")
	if ok || retry != 30*time.Second {
		t.Fatalf("fourth: %v %v", ok, retry)
	}
	if ok, _ := l.Check("b"); !ok {
		t.Fatal("check of a fresh key")
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key is limited")
	}
	now = now.Add(31 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("the window did not slide")
	}
	now = now.Add(2 * time.Minute)
	l.Allow("c")
	l.mu.Lock()
	n := len(l.events)
	l.mu.Unlock()
	if n != 1 {
		t.Fatalf("idle keys kept: %d", n)
	}
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/activities/3?x=1":          "/activities/3?x=1",
		"":                           "/calendar",
		"https://evil.example/":      "/calendar",
		"//evil.example/x":           "/calendar",
		"/\\evil.example":            "/calendar",
		"calendar":                   "/calendar",
		"/a\r\nSet-Cookie: x=1":      "/calendar",
		"/conflicts?from=2026-01-01": "/conflicts?from=2026-01-01",
	} {
		if got := LocalPath(in, "/calendar"); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}
