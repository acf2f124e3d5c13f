package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointcal/jointcal/api"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
	"github.com/jointcal/jointcal/web"
)

// site is jointcal as `serve --demo` runs it — the API and the pages on
// one router, over the demo data placed around today — on a loopback
// port of the test's own.
type site struct {
	t     testing.TB
	URL   string
	Store *storage.Store
	Today time.Time
	// Nudges counts the pages' requests to send the outbox now.
	Nudges *atomic.Int64
}

// Demo accounts (demo/signin.go).
const (
	adminEmail       = "admin@jointcal.example"
	euPlannerEmail   = "claire.dumont@eeas.example"
	natoPlannerEmail = "olivia.grant@nato.example"
)

func newSite(t testing.TB) *site {
	t.Helper()
	return newSiteWith(t, nil)
}

// newSiteWith is newSite with settings (JOINTCAL_* values) of the test's.
func newSiteWith(t testing.TB, settings map[string]string) *site {
	t.Helper()
	return newSiteOn(t, storagetest.Open(t), settings)
}

// newSiteOn is newSiteWith on a store of the test's (opened with store
// settings of its own).
func newSiteOn(t testing.TB, store *storage.Store, settings map[string]string) *site {
	t.Helper()
	today := time.Now()
	if _, err := demo.Load(context.Background(), store, today); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	cfg, err := config.Load(func(k string) string {
		if k == "JOINTCAL_BASE_URL" {
			return srv.URL
		}
		return settings[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := api.New(store, cfg, log)
	t.Cleanup(a.Close)
	nudges := new(atomic.Int64)
	pages, err := web.New(web.Deps{Store: store, Config: cfg, Log: log, Sessions: a.SessionSettings(), SendSignInLink: a.SendSignInLink, ClientAddr: a.ClientAddr, StartImportJob: a.StartImportJob,
		NudgeOutbox: func() { nudges.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount(pages.Register, pages.APIErrorPage)
	srv.Config.Handler = a.Handler()
	return &site{t: t, URL: srv.URL, Store: store, Today: today, Nudges: nudges}
}

// link is a one-time sign-in link for a demo account.
func (s *site) link(email string) string {
	s.t.Helper()
	secret, err := s.Store.CreateDemoSignInLink(context.Background(), email, time.Hour)
	if err != nil {
		s.t.Fatalf("sign-in link for %s: %v", email, err)
	}
	return s.URL + "/signin/link?token=" + url.QueryEscape(secret)
}

// client is an HTTP client that keeps cookies and does not follow
// redirects, so that tests see each answer.
type client struct {
	t    testing.TB
	site *site
	c    *http.Client
	lang string
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn is a client signed in as email through the link flow.
func (s *site) signedIn(email string) *client {
	c := s.client()
	link, _ := url.Parse(s.link(email))
	r := c.post("/signin/link", url.Values{"token": {link.Query().Get("token")}})
	if r.status != http.StatusSeeOther {
		s.t.Fatalf("sign-in as %s: %d %s", email, r.status, r.body)
	}
	return c
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(method, path string, body io.Reader, header map[string]string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.site.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) answer { return c.do(http.MethodGet, path, nil, nil) }

func (c *client) post(path string, form url.Values) answer {
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": c.site.URL})
}

// csrf is the CSRF token of the client's session (the cookie the pages'
// forms echo).
func (c *client) csrf() string {
	u, _ := url.Parse(c.site.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "jointcal_csrf" {
			return ck.Value
		}
	}
	c.t.Fatal("no CSRF cookie: not signed in")
	return ""
}
