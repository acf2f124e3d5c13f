package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnknownAddressPage: an address no page answers is a page in the
// person's language with their menu when they are signed in (no page's
// session check ran for it), in words a person can act on rather than
// the API's, and a sign-in link for a stranger.
func TestUnknownAddressPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for _, tc := range []struct {
		name     string
		c        *client
		want     []string
		unwanted []string
	}{
		{"signed in", s.signedIn(euPlannerEmail), []string{"This page does not exist", `href="/calendar"`, `action="/signout"`}, []string{"no such route", `href="/signin"`}},
		{"signed in, French browser", func() *client { c := s.signedIn(euPlannerEmail); c.lang = "fr"; return c }(), []string{"Cette page n&#39;existe pas", `action="/signout"`}, []string{"no such route"}},
		{"stranger", s.client(), []string{"This page does not exist", `href="/signin"`}, []string{"no such route", `action="/signout"`}},
	} {
		r := tc.c.get("/activities")
		if r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", tc.name, r.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: the page lacks %q:\n%s", tc.name, w, r.body)
			}
		}
		for _, u := range tc.unwanted {
			if strings.Contains(r.body, u) {
				t.Errorf("%s: the page has %q", tc.name, u)
			}
		}
	}
}
