package web

import (
	"net/http"
	"net/url"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// Languages is what the language switcher offers, each in its own
// language.
func (p *page) Languages() []languageChoice {
	return []languageChoice{{English, "English"}, {French, "Français"}}
}

type languageChoice struct {
	Code Language
	Name string
}

// setLanguage keeps the person's language (the same setting as
// PATCH /api/v1/me) and goes back to the page they were on.
func (w *Web) setLanguage(c echo.Context) error {
	l := c.FormValue("language")
	if _, err := w.Store.UpdateMe(c.Request().Context(), actor(c), models.MeInput{Language: &l}); err != nil {
		return err
	}
	back := "/calendar"
	if u, err := url.Parse(c.Request().Header.Get("Referer")); err == nil && (u.Host == "" || u.Host == c.Request().Host) {
		back = auth.LocalPath(u.RequestURI(), back)
	}
	return c.Redirect(http.StatusSeeOther, back)
}
