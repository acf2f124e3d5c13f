package api

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// TestStandalonePagesStyleIsAllowed: the sign-in and answer pages carry
// their stylesheet inline, and the policy's digest allows exactly what the
// page holds — were the template to alter the stylesheet in writing it,
// the browser would refuse it and show the page bare.
func TestStandalonePagesStyleIsAllowed(t *testing.T) {
	t.Parallel()
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	for _, tc := range []struct {
		name   string
		render func(echo.Context) error
	}{
		{"sign-in", func(c echo.Context) error {
			return renderSignIn(c, http.StatusOK, signInView{Title: "Sign in", Token: "jc_x", Who: "a•••@example.org", Button: "Sign in"})
		}},
		{"answer", func(c echo.Context) error {
			w := replyWordsEN
			return renderReply(c, http.StatusOK, replyView{Lang: w.lang, Title: w.title, Activity: "A <b>", Form: true, Token: "t", w: w})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			if err := tc.render(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)); err != nil {
				t.Fatal(err)
			}
			body := rec.Body.String()
			m := style.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no inline stylesheet:\n%s", body)
			}
			csp := rec.Header().Get("Content-Security-Policy")
			if want := "style-src '" + styleDigest(m[1]) + "'"; !strings.Contains(csp, want) {
				t.Errorf("the policy %q does not allow the page's stylesheet (%s)", csp, want)
			}
			for _, want := range []string{"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("the policy %q lacks %s", csp, want)
				}
			}
			if strings.Contains(body, "<script") || strings.Contains(body, "<link") {
				t.Errorf("the page fetches something:\n%s", body)
			}
		})
	}
}

// TestReplyWhen: the answer page says when, in the activity's own zone —
// one day with its hours, several days with both ends, all-day activities
// by their days, and that a series' answer covers all of it.
func TestReplyWhen(t *testing.T) {
	t.Parallel()
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h int) time.Time { return time.Date(2027, 3, d, h, 0, 0, 0, brussels) }
	for _, tc := range []struct {
		name string
		s    models.ReplyLinkSubject
		w    replyWords
		want string
	}{
		{"one day", models.ReplyLinkSubject{Start: at(4, 10), End: at(4, 12)}, replyWordsEN, "2027-03-04 10:00–12:00 (Europe/Brussels)"},
		{"several days", models.ReplyLinkSubject{Start: at(1, 9), End: at(5, 17)}, replyWordsEN, "2027-03-01 09:00 – 2027-03-05 17:00 (Europe/Brussels)"},
		{"one whole day", models.ReplyLinkSubject{Start: at(4, 0), End: at(5, 0), AllDay: true}, replyWordsEN, "2027-03-04 (Europe/Brussels)"},
		{"whole days", models.ReplyLinkSubject{Start: at(1, 0), End: at(6, 0), AllDay: true}, replyWordsEN, "2027-03-01 – 2027-03-05 (Europe/Brussels)"},
		{"a series, in French", models.ReplyLinkSubject{Start: at(4, 10), End: at(4, 11), Repeats: true}, replyWordsFR,
			"2027-03-04 10:00–11:00 (Europe/Brussels), la première d'une série ; la réponse vaut pour chaque occurrence"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.s.TimeZone = "Europe/Brussels"
			if got := tc.w.when(&tc.s); got != tc.want {
				t.Errorf("when = %q, want %q", got, tc.want)
			}
		})
	}
}
