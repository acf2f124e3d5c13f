package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageSet holds one template per page, each the layout with the page's
// own blocks ("title", "content").
type pageSet struct{ pages map[string]*template.Template }

// layoutFiles are parsed into every page: the frame and shared parts.
const layoutFile = "templates/layout.html"

func parsePages() (*pageSet, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, layoutFile)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{pages: map[string]*template.Template{}}
	for _, name := range names {
		if name == layoutFile {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, err
		}
		ps.pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = t
	}
	return ps, nil
}

// templateFuncs are the few helpers templates need beyond the page's
// methods.
var templateFuncs = template.FuncMap{
	"join":      strings.Join,
	"orgColour": orgColour,
	"clash":     func(p *page, c models.ConflictView) clashItem { return clashItem{P: p, C: c} },
	"chart": func(p *page, bars []bar, heading string) chartItem {
		return chartItem{P: p, Bars: bars, Heading: heading}
	},
}

// clashItem carries a conflict and the page into the "clash" template.
type clashItem struct {
	P *page
	C models.ConflictView
}

// chartItem carries a chart's bars, its first column's heading (a
// message key) and the page into the "chart" template.
type chartItem struct {
	P       *page
	Bars    []bar
	Heading string
}

// page is what every template receives: the person, their language and
// zone, the CSRF token for forms, and the page's own data.
type page struct {
	w       *Web
	Lang    Language
	Zone    *time.Location
	Title   string
	Nav     string
	Actor   models.Actor
	Me      *models.Me
	CSRF    string
	Data    any
	Status  int
	Message string
}

// Label translates a vocabulary value (a kind, a rule, an audit action)
// under its prefix, or shows the value itself when the catalogue has no
// entry for it yet: a value added to the store must not break pages.
func (p *page) Label(prefix, value string) string {
	key := prefix + "." + value
	if _, ok := p.w.cat[English][key]; !ok {
		return value
	}
	return p.T(key)
}

// Labels is Label of each value, joined by commas: an activity's areas
// read as the reports name them ("Political dialogue", not
// "political_dialogue").
func (p *page) Labels(prefix string, values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = p.Label(prefix, v)
	}
	return strings.Join(out, ", ")
}

// T translates a message key with its arguments.
func (p *page) T(key string, args ...any) string { return p.w.cat.Text(p.Lang, key, args...) }

// Asset is the content-hashed URL of a static file.
func (p *page) Asset(name string) string { return p.w.static.url(name) }

// Date, ShortDate, Time and Month write an instant in the person's zone.
func (p *page) Date(t time.Time) string      { return formatDate(p.Lang, t.In(p.Zone)) }
func (p *page) ShortDate(t time.Time) string { return formatShortDate(p.Lang, t.In(p.Zone)) }
func (p *page) Time(t time.Time) string      { return formatTime(t.In(p.Zone)) }
func (p *page) Month(t time.Time) string     { return formatMonth(p.Lang, t.In(p.Zone)) }

// ZoneName is the person's zone as people read it ("Europe/Brussels").
func (p *page) ZoneName() string { return p.Zone.String() }

// SignedIn reports whether a person is signed in (the sign-in and error
// pages are also shown to people who are not).
func (p *page) SignedIn() bool { return p.Actor.PersonID != 0 }

// IsAdmin and IsPlanner gate the menu entries; the store still decides
// every action.
func (p *page) IsAdmin() bool   { return p.Actor.RequireAdmin() == nil }
func (p *page) IsPlanner() bool { return p.Actor.MayBook() }

// newPage builds the page data of a request: the signed-in person's
// language and zone, or the browser's language and the server's zone.
func (w *Web) newPage(c echo.Context, nav, title string) (*page, error) {
	p := &page{w: w, Nav: nav, Title: title, Zone: time.UTC, Status: http.StatusOK}
	p.Lang = negotiate(c.Request().Header.Get("Accept-Language"))
	if a, ok := c.Get(actorKey).(models.Actor); ok {
		p.Actor = a
		p.CSRF, _ = c.Get(csrfKey).(string)
		me, err := w.Store.GetMe(c.Request().Context(), a)
		if err != nil {
			return nil, err
		}
		p.Me = me
		// The person's own choice, else their browser's language.
		if me.Person != nil && me.Person.Language != "" {
			p.Lang = Language(me.Person.Language)
		}
		if me.Person != nil && me.Person.TimeZone != "" {
			if loc, err := time.LoadLocation(me.Person.TimeZone); err == nil {
				p.Zone = loc
			}
		}
	}
	return p, nil
}

// contentSecurityPolicy allows the pages' own scripts and styles only:
// no inline script, no other origin. Style attributes are allowed because
// the calendar component positions events with them; they cannot run
// code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// render writes a page: the template into a buffer first, so that a
// template error becomes an error page instead of half a page.
func (w *Web) render(c echo.Context, name string, p *page) error {
	t, ok := w.pages.pages[name]
	if !ok {
		return echo.NewHTTPError(http.StatusInternalServerError, "no page "+name)
	}
	var buf bytes.Buffer
	tmpl := "layout"
	if c.Request().Header.Get("HX-Request") != "" && t.Lookup("partial") != nil {
		tmpl = "partial"
	}
	if err := t.ExecuteTemplate(&buf, tmpl, p); err != nil {
		return err
	}
	securityHeaders(c.Response().Header())
	c.Response().Header().Set("Content-Language", string(p.Lang))
	c.Response().Header().Set("Vary", "Accept-Language, Cookie, HX-Request")
	return c.HTMLBlob(p.Status, buf.Bytes())
}

// securityHeaders are sent with every page.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

// fail answers an error page whose message is a catalogue key, in the
// person's language.
func (w *Web) fail(c echo.Context, status int, key string) error {
	p, err := w.newPage(c, "", "")
	if err != nil {
		return err
	}
	return w.ErrorPage(c, status, p.T(key))
}

// ErrorPage renders an error for a browser, in its language, with the
// menu when signed in.
func (w *Web) ErrorPage(c echo.Context, status int, detail string) error {
	p := w.errorPage(c, status)
	p.Message = detail
	return w.render(c, "error", p)
}

// APIErrorPage is the page the API's error handler renders for a browser's
// request outside /api/: an address no page answers, or a page's handler
// that failed. The problem's detail is written for API clients ("no such
// route"), so the statuses a person cannot act on by its words get the
// page's own, in their language; the others keep the detail, which names
// what to change.
func (w *Web) APIErrorPage(c echo.Context, status int, detail string) error {
	p := w.errorPage(c, status)
	p.Message = detail
	switch {
	case status == http.StatusNotFound:
		p.Message = p.T("error.not_found")
	case status == http.StatusMethodNotAllowed:
		p.Message = p.T("error.method")
	case status == http.StatusServiceUnavailable:
		p.Message = p.T("error.unavailable")
	case status >= http.StatusInternalServerError:
		p.Message = p.T("error.internal")
	}
	return w.render(c, "error", p)
}

// errorPage is an error page's frame: the signed-in person's menu,
// language and zone when the session can be read, else a stranger's.
func (w *Web) errorPage(c echo.Context, status int) *page {
	w.recognise(c)
	p, err := w.newPage(c, "", "")
	if err != nil {
		p = &page{w: w, Lang: English, Zone: time.UTC}
	}
	p.Status = status
	p.Title = p.T("error.title", status)
	return p
}
