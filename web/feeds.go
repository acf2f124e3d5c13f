package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// feedsData is the feeds page's data: the person's feeds and those they
// made for their organisation, the creation form, and — right after a
// creation or rotation, the only time the store hands it out — the new
// secret address.
type feedsData struct {
	Mine, Organisation []models.Feed
	// MineTable and OrgTable are the two lists as the table template
	// takes them.
	MineTable, OrgTable feedTable
	Form                feedForm
	Errors              formErrors
	Options             filterOptions
	Statuses            []models.Status
	New                 *feedLinks
	// CanOrganisation offers the organisation as owner (planners).
	CanOrganisation bool
	OrgCode         string
}

// feedForm is what the creation form sends back.
type feedForm struct {
	Name, Owner                   string
	Organizations, Bodies, Venues []string
	Kinds, Statuses               []string
	People, Areas, Series         string
}

// Has reports whether a multiple choice includes v (templates pre-select
// what the person chose before a refused submission).
func (f feedForm) Has(list []string, v any) bool {
	s := strings.TrimSpace(toString(v))
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case models.Kind:
		return string(x)
	case models.Status:
		return string(x)
	}
	return ""
}

// feedLinks are the ways to subscribe to a feed: its https address, the
// webcal:// one calendar applications open, and the pages of Google
// Calendar and Outlook that add a calendar from an address.
type feedLinks struct {
	Feed                 *models.Feed
	URL, Google, Outlook string
	// Webcal is trusted: html/template would otherwise refuse the
	// scheme; it is built from the configured base URL and a secret of
	// our own, never from input.
	Webcal  template.URL
	Rotated bool
}

func (w *Web) feedLinks(f *models.Feed, token string, rotated bool) *feedLinks {
	u := w.Config.PublicURL() + "/feeds/" + token + ".ics"
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return &feedLinks{
		Feed: f, URL: u, Webcal: template.URL(webcal), Rotated: rotated,
		Google:  "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(webcal),
		Outlook: "https://outlook.office.com/calendar/0/addfromweb?url=" + url.QueryEscape(u) + "&name=" + url.QueryEscape(f.Name),
	}
}

// feedsPage lists the person's feeds with the creation form.
func (w *Web) feedsPage(c echo.Context) error {
	return w.renderFeeds(c, http.StatusOK, feedForm{Owner: "person"}, nil, nil)
}

func (w *Web) renderFeeds(c echo.Context, status int, form feedForm, errs formErrors, created *feedLinks) error {
	p, err := w.newPage(c, "feeds", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	d := feedsData{Form: form, Errors: errs, New: created, Statuses: models.Statuses(), OrgCode: p.Me.Organization}
	d.CanOrganisation = p.IsPlanner() && d.OrgCode != ""
	opts := models.ListOptions{Limit: models.MaxLimit}
	for {
		page, err := w.Store.ListFeeds(ctx, a, opts)
		if err != nil {
			return err
		}
		for _, f := range page.Items {
			if f.Owner.Type == "person" && f.OwnerID == a.PersonID {
				d.Mine = append(d.Mine, f)
			} else {
				d.Organisation = append(d.Organisation, f)
			}
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	d.MineTable, d.OrgTable = newFeedTable(p, d.Mine), newFeedTable(p, d.Organisation)
	if d.Options, err = w.filterOptions(c); err != nil {
		return err
	}
	p.Title, p.Data, p.Status = p.T("feeds.title"), d, status
	return w.render(c, "feeds", p)
}

// createFeed makes a feed from the form: owned by the person, or (a
// planner's choice) by their organisation. The store decides whether the
// person may; its refusals of fields come back on the form.
func (w *Web) createFeed(c echo.Context) error {
	form := feedForm{
		Name: strings.TrimSpace(c.FormValue("name")), Owner: c.FormValue("owner"),
		Organizations: formList(c, "organizations"), Bodies: formList(c, "bodies"), Venues: formList(c, "venues"),
		Kinds: formList(c, "kinds"), Statuses: formList(c, "statuses"),
		People: c.FormValue("people"), Areas: c.FormValue("areas"), Series: c.FormValue("series"),
	}
	ctx, a := c.Request().Context(), actor(c)
	me, err := w.Store.GetMe(ctx, a)
	if err != nil {
		return err
	}
	in := models.FeedInput{Name: form.Name, Filter: models.FeedFilter{
		Organizations: form.Organizations, Bodies: form.Bodies, Venues: form.Venues,
		People: splitList(form.People), Kinds: form.Kinds, Areas: splitList(form.Areas),
		Series: splitList(form.Series), Statuses: form.Statuses,
	}}
	switch form.Owner {
	case "organization":
		in.Owner = models.FeedOwner{Type: "organization", IDOrCode: models.Ref(me.Organization)}
	default:
		form.Owner = "person"
		if me.Person != nil {
			in.Owner = models.FeedOwner{Type: "person", IDOrCode: models.Ref(me.Person.Email)}
		}
	}
	f, token, err := w.Store.CreateFeed(ctx, a, in, w.Config.MaxFeedsPerOwner)
	if errs, ok := w.storeFieldErrors(c, err); ok {
		return w.renderFeeds(c, http.StatusUnprocessableEntity, form, errs, nil)
	}
	if err != nil {
		return err
	}
	return w.renderFeeds(c, http.StatusCreated, feedForm{Owner: "person"}, nil, w.feedLinks(f, token, false))
}

// rotateFeed gives a feed a new secret address after a confirmation; the
// old address stops working at once.
func (w *Web) rotateFeed(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "error.no_feed")
	}
	if !confirmed(c) {
		p, err := w.newPage(c, "feeds", "")
		if err != nil {
			return err
		}
		return w.confirm(c, "feeds", confirmData{Question: p.T("feeds.rotate_question"), Detail: p.T("feeds.rotate_detail"),
			Action: "/feeds/" + c.Param("id") + "/rotate", Button: p.T("feeds.rotate"), Back: "/feeds"})
	}
	f, token, err := w.Store.RotateFeed(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return w.renderFeeds(c, http.StatusOK, feedForm{Owner: "person"}, nil, w.feedLinks(f, token, true))
}

// revokeFeed ends a feed for good after a confirmation.
func (w *Web) revokeFeed(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "error.no_feed")
	}
	if !confirmed(c) {
		p, err := w.newPage(c, "feeds", "")
		if err != nil {
			return err
		}
		return w.confirm(c, "feeds", confirmData{Question: p.T("feeds.revoke_question"), Detail: p.T("feeds.revoke_detail"),
			Action: "/feeds/" + c.Param("id") + "/revoke", Button: p.T("feeds.revoke"), Back: "/feeds", Danger: true})
	}
	if err := w.Store.RevokeFeed(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/feeds")
}

// feedTable is a list of feeds with the page, for the table template.
type feedTable struct {
	P    *page
	Rows []feedRow
}

// feedRow is a feed with its filter in words.
type feedRow struct {
	models.Feed
	Summary string
}

func newFeedTable(p *page, feeds []models.Feed) feedTable {
	t := feedTable{P: p}
	for _, f := range feeds {
		var parts []string
		fl := f.Filter
		for _, l := range [][]string{fl.Organizations, fl.Kinds, fl.Bodies, fl.Venues, fl.People, fl.Areas, fl.Series, fl.Statuses} {
			if len(l) > 0 {
				parts = append(parts, strings.Join(l, ", "))
			}
		}
		t.Rows = append(t.Rows, feedRow{Feed: f, Summary: strings.Join(parts, " · ")})
	}
	return t
}
