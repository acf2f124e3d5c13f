package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"

	"github.com/jointcal/jointcal/auth"
	"github.com/labstack/echo/v4"
)

// signInForm is the sign-in page's data.
type signInForm struct {
	Email string
	// Error marks the e-mail field; Sent replaces the form by the
	// confirmation.
	Error string
	Sent  bool
	OIDC  bool
}

// signInPage shows the e-mail form (and the identity provider's button
// when one is configured). A signed-in person goes straight on.
func (w *Web) signInPage(c echo.Context) error {
	next := auth.LocalPath(c.QueryParam("next"), auth.AfterSignIn)
	if ck, err := c.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
		if _, _, err := w.Store.SessionActor(c.Request().Context(), ck.Value, w.Sessions); err == nil {
			return c.Redirect(http.StatusSeeOther, next)
		}
	}
	if c.QueryParam("next") != "" {
		c.SetCookie(auth.ReturnTo(next, auth.SecureBase(w.Config.BaseURL)))
	}
	return w.renderSignIn(c, http.StatusOK, signInForm{OIDC: w.Config.OIDC.Enabled()})
}

func (w *Web) renderSignIn(c echo.Context, status int, f signInForm) error {
	p, err := w.newPage(c, "signin", "")
	if err != nil {
		return err
	}
	p.Title, p.Data, p.Status = p.T("signin.title"), f, status
	return w.render(c, "signin", p)
}

// requestLink mails a sign-in link. The answer is the same whether or not
// the address is known. Without a session there is no CSRF token yet, so
// the form must come from this site (browsers say so in Origin).
func (w *Web) requestLink(c echo.Context) error {
	r := c.Request()
	if origin := r.Header.Get("Origin"); origin != "" && !auth.SameOrigin(origin, w.Config.PublicURL(), r.Host) || r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return w.fail(c, http.StatusForbidden, "error.cross_site")
	}
	f := signInForm{Email: strings.TrimSpace(c.FormValue("email")), OIDC: w.Config.OIDC.Enabled()}
	if _, err := mail.ParseAddress(f.Email); err != nil || !strings.Contains(f.Email, "@") {
		f.Error = "signin.email_invalid"
		return w.renderSignIn(c, http.StatusUnprocessableEntity, f)
	}
	if w.SendSignInLink == nil {
		return w.fail(c, http.StatusServiceUnavailable, "error.signin_off")
	}
	_, err := w.SendSignInLink(f.Email, w.ClientAddr(c), w.Log)
	switch {
	case errors.Is(err, auth.ErrSignInUnavailable):
		return w.fail(c, http.StatusServiceUnavailable, "error.signin_off")
	case errors.Is(err, auth.ErrSignInLimited):
		f.Error = "signin.limited"
		return w.renderSignIn(c, http.StatusTooManyRequests, f)
	case err != nil:
		return err
	}
	f.Sent = true
	return w.renderSignIn(c, http.StatusOK, f)
}

// signOut ends the session and its cookies.
func (w *Web) signOut(c echo.Context) error {
	secret, _ := c.Get(secretKey).(string)
	if err := w.Store.EndSessionSecret(c.Request().Context(), secret); err != nil {
		return err
	}
	for _, ck := range auth.ClearCookies(auth.SecureBase(w.Config.BaseURL)) {
		c.SetCookie(ck)
	}
	return c.Redirect(http.StatusSeeOther, "/signin")
}
