package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AfterSignIn is where a browser lands once signed in, unless it was
// going elsewhere: the planners' calendar.
const AfterSignIn = "/calendar"

// Errors of sending a sign-in link, shared by the API and the pages.
var (
	ErrSignInUnavailable = errors.New("this instance cannot send e-mail, so sign-in links are off")
	ErrSignInLimited     = errors.New("too many sign-in links asked from this address")
)

// ReturnCookie remembers, across the round trip through the mailbox,
// the page a person was going to when they were asked to sign in.
const ReturnCookie = "jointcal_return"

// LocalPath keeps a return address on this site: anything else (an
// absolute URL, "//host", a backslash or a line break) becomes fallback,
// so that sign-in cannot be used to send people elsewhere.
func LocalPath(p, fallback string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return fallback
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return p
}

// ReturnTo builds the cookie that remembers where to go after sign-in;
// it lives as long as a sign-in link could.
func ReturnTo(path string, secure bool) *http.Cookie {
	return &http.Cookie{Name: ReturnCookie, Value: url.QueryEscape(path), Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int((30 * time.Minute).Seconds())}
}

// Returned reads and clears the return cookie of a request: the page to
// go to, or fallback.
func Returned(r *http.Request, w http.ResponseWriter, fallback string, secure bool) string {
	ck, err := r.Cookie(ReturnCookie)
	if err != nil {
		return fallback
	}
	http.SetCookie(w, &http.Cookie{Name: ReturnCookie, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	p, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return fallback
	}
	return LocalPath(p, fallback)
}

// SameOrigin reports whether an Origin header names this service: its
// public base URL, or the host the request was sent to.
func SameOrigin(origin, base, host string) bool {
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false
	}
	if b, err := url.Parse(base); err == nil && strings.EqualFold(o.Scheme, b.Scheme) && strings.EqualFold(o.Host, b.Host) {
		return true
	}
	return strings.EqualFold(o.Host, host)
}
