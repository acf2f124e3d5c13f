package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Cookie names. The session cookie is HttpOnly; the CSRF cookie is not,
// so that the pages' own script can echo it in a header (double submit),
// which a page of another origin cannot read.
const (
	SessionCookie = "jointcal_session"
	CSRFCookie    = "jointcal_csrf"
	// CSRFHeader carries the CSRF token on state-changing requests made
	// with the session cookie; forms carry it as the field CSRFField.
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
)

// CSRFToken derives the CSRF token of a session from its secret: stable
// for the session's life, useless without the session cookie, and
// revealing nothing of it (a one-way hash with its own label).
func CSRFToken(sessionSecret string) string {
	sum := sha256.Sum256([]byte("jointcal csrf\x00" + sessionSecret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckCSRF reports whether presented is the CSRF token of the session,
// compared in constant time.
func CheckCSRF(sessionSecret, presented string) bool {
	want := CSRFToken(sessionSecret)
	return len(presented) == len(want) && subtle.ConstantTimeCompare([]byte(want), []byte(presented)) == 1
}

// SafeMethod reports the methods that change nothing and so need no
// CSRF token.
func SafeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// Cookies builds the session and CSRF cookies. secure is set when the
// service is reached over https (JOINTCAL_BASE_URL), so that a cookie is
// never sent in clear; maxAge bounds the browser's copy by the session's
// absolute lifetime.
func Cookies(sessionSecret string, secure bool, maxAge time.Duration) []*http.Cookie {
	return []*http.Cookie{
		{Name: SessionCookie, Value: sessionSecret, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())},
		{Name: CSRFCookie, Value: CSRFToken(sessionSecret), Path: "/", HttpOnly: false, Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge.Seconds())},
	}
}

// ClearCookies expires both cookies (sign out).
func ClearCookies(secure bool) []*http.Cookie {
	return []*http.Cookie{
		{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1},
		{Name: CSRFCookie, Value: "", Path: "/", Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: -1},
	}
}

// SecureBase reports whether a public base URL is https.
func SecureBase(baseURL string) bool {
	return strings.HasPrefix(strings.ToLower(baseURL), "https://")
}
