package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// meData is the /me page's data: settings, sessions, personal tokens and
// the coming activities the person takes part in.
type meData struct {
	Zones    []string
	Zone     string
	Language string
	OptOut   bool
	Offsets  string
	Errors   formErrors
	Saved    bool
	Sessions []models.Session
	Tokens   []models.PersonalToken
	// NewToken is the secret of a token just made, shown this once.
	NewToken    string
	TokenName   string
	TokenScope  string
	TokenErrors formErrors
	Upcoming    []models.ActivityView
}

// commonZones are the zones offered first: those of the two
// organisations' staffs and partners. Any other IANA zone the person has
// is offered too; the store validates whatever is sent.
var commonZones = []string{
	"UTC", "Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Bratislava", "Europe/Brussels", "Europe/Bucharest",
	"Europe/Budapest", "Europe/Copenhagen", "Europe/Dublin", "Europe/Helsinki", "Europe/Lisbon", "Europe/Ljubljana", "Europe/London",
	"Europe/Luxembourg", "Europe/Madrid", "Europe/Malta", "Europe/Oslo", "Europe/Paris", "Europe/Podgorica", "Europe/Prague",
	"Europe/Riga", "Europe/Rome", "Europe/Skopje", "Europe/Sofia", "Europe/Stockholm", "Europe/Tallinn", "Europe/Tirane",
	"Europe/Vilnius", "Europe/Vienna", "Europe/Warsaw", "Europe/Zagreb", "Europe/Istanbul", "Europe/Kyiv", "Europe/Chisinau",
	"Asia/Nicosia", "Atlantic/Reykjavik", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Toronto", "America/Halifax", "America/Vancouver", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Pacific/Auckland",
}

// upcomingShown bounds the coming activities on the page.
const upcomingShown = 20

func (w *Web) mePage(c echo.Context) error {
	return w.renderMe(c, http.StatusOK, meData{Saved: c.QueryParam("saved") == "1"})
}

// renderMe fills what d does not carry yet (the settings as stored,
// sessions, tokens, activities) and renders the page.
func (w *Web) renderMe(c echo.Context, status int, d meData) error {
	p, err := w.newPage(c, "me", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	if p.Me.Person == nil {
		return w.fail(c, http.StatusForbidden, "me.no_person")
	}
	if d.Errors == nil {
		d.Zone, d.Language = p.Me.Person.TimeZone, p.Me.Language
		d.OptOut = p.Me.Person.ReminderPreferences.OptOut
		d.Offsets = strings.Join(p.Me.Person.ReminderPreferences.Offsets, ", ")
	}
	d.Zones = commonZones
	if d.Zone != "" && !slices.Contains(d.Zones, d.Zone) {
		d.Zones = append([]string{d.Zone}, d.Zones...)
	}
	sid, _ := c.Get(sessionIDKey).(int64)
	if d.Sessions, err = w.Store.ListSessions(ctx, a, sid, w.Sessions); err != nil {
		return err
	}
	tokens, err := w.Store.ListPersonalTokens(ctx, a)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.Status == models.TokenActive {
			d.Tokens = append(d.Tokens, t)
		}
	}
	f := models.ActivityFilter{Involving: a.PersonID, From: w.now()}
	f.Limit = upcomingShown
	list, err := w.Store.ListActivities(ctx, a, f)
	if err != nil {
		return err
	}
	if err := w.Store.FillReplySummaries(ctx, a, list.Items); err != nil {
		return err
	}
	d.Upcoming = list.Items
	if d.TokenScope == "" {
		d.TokenScope = string(models.ScopeReadWrite)
	}
	p.Title, p.Data, p.Status = p.T("me.title"), d, status
	return w.render(c, "me", p)
}

// saveMe keeps the person's zone, language and reminder preferences (the
// same change as PATCH /api/v1/me); bad values come back marked.
func (w *Web) saveMe(c echo.Context) error {
	d := meData{Zone: c.FormValue("timezone"), Language: c.FormValue("language"), OptOut: c.FormValue("opt_out") == "true", Offsets: c.FormValue("offsets")}
	prefs := models.ReminderPreferences{OptOut: d.OptOut, Offsets: splitList(strings.ToUpper(d.Offsets))}
	_, err := w.Store.UpdateMe(c.Request().Context(), actor(c), models.MeInput{TimeZone: &d.Zone, Language: &d.Language, ReminderPreferences: &prefs})
	if errs, ok := w.storeFieldErrors(c, err); ok {
		d.Errors = errs
		return w.renderMe(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/me?saved=1")
}

// endSession signs one of the person's sessions out; ending the current
// one is signing out.
func (w *Web) endSession(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "me.no_session")
	}
	if err := w.Store.EndSession(c.Request().Context(), actor(c), id); errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "me.no_session")
	} else if err != nil {
		return err
	}
	if sid, _ := c.Get(sessionIDKey).(int64); sid == id {
		return w.clearAndSignIn(c)
	}
	return c.Redirect(http.StatusSeeOther, "/me")
}

// endAllSessions signs the person out everywhere, this browser included,
// after a confirmation.
func (w *Web) endAllSessions(c echo.Context) error {
	if !confirmed(c) {
		p, err := w.newPage(c, "me", "")
		if err != nil {
			return err
		}
		return w.confirm(c, "me", confirmData{Question: p.T("me.everywhere_question"), Detail: p.T("me.everywhere_detail"), Action: "/me/sessions/end-all", Button: p.T("me.everywhere"), Back: "/me", Danger: true})
	}
	if _, err := w.Store.EndAllSessions(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return w.clearAndSignIn(c)
}

func (w *Web) clearAndSignIn(c echo.Context) error {
	for _, ck := range auth.ClearCookies(auth.SecureBase(w.Config.BaseURL)) {
		c.SetCookie(ck)
	}
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// createToken issues a personal access token; its secret is shown once,
// on the page this request answers.
func (w *Web) createToken(c echo.Context) error {
	d := meData{TokenName: strings.TrimSpace(c.FormValue("name")), TokenScope: c.FormValue("scope")}
	in := models.PersonalTokenInput{Name: d.TokenName, Scope: models.TokenScope(d.TokenScope), ExpiresIn: c.FormValue("expires_in")}
	_, secret, err := w.Store.CreatePersonalToken(c.Request().Context(), actor(c), in, w.Config.TokenMaxLifetime)
	if errs, ok := w.storeFieldErrors(c, err); ok {
		d.TokenErrors = errs
		return w.renderMe(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return w.renderMe(c, http.StatusCreated, meData{NewToken: secret})
}

// revokeToken revokes one of the person's tokens after a confirmation.
func (w *Web) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "me.no_token")
	}
	if !confirmed(c) {
		p, err := w.newPage(c, "me", "")
		if err != nil {
			return err
		}
		return w.confirm(c, "me", confirmData{Question: p.T("me.revoke_question"), Detail: p.T("me.revoke_detail"), Action: "/me/tokens/" + strconv.FormatInt(id, 10) + "/revoke", Button: p.T("me.revoke"), Back: "/me", Danger: true})
	}
	if err := w.Store.RevokePersonalToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/me")
}

// TokenExpiries are the lifetimes the token form offers.
func (d meData) TokenExpiries() []string { return []string{"P7D", "P30D", "P90D", "P365D"} }
