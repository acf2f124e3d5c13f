package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/web/locales"
	"github.com/labstack/echo/v4"
)

// SignInMailer delivers a sign-in link to a person; the wiring builds it
// on the notify sender (SMTP, or the .eml directory of the demo).
type SignInMailer func(ctx context.Context, p *models.Person, link string, expires time.Time) error

// SetSignInMailer wires the delivery of sign-in links. Without one, links
// cannot be asked for (503).
func (s *Server) SetSignInMailer(f SignInMailer) { s.mailSignIn = f }

// signInLinkRequest is the body of POST /api/v1/auth/signin-links.
type signInLinkRequest struct {
	Email string `json:"email"`
}

// signInSent is the one answer to a request for a link, whether or not
// the address is known, limited or mailed: it reveals nothing.
var signInSent = map[string]string{"detail": "if this address belongs to someone in jointcal, a sign-in link is on its way; it works once, for 15 minutes"}

// requestSignInLink mails a one-time link. The answer and its timing do
// not depend on the address: the link is made and mailed after the
// answer, in the background.
func (s *Server) requestSignInLink(c echo.Context) error {
	// JSON only: a page of another site can post a form or a blob without
	// a JSON type without the browser asking first, and make visitors
	// trigger e-mails.
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(ct, "application/json") {
		return problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send application/json")
	}
	var in signInLinkRequest
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.Email == "" {
		return &models.ValidationError{Errors: []models.FieldError{{Field: "email", Message: "is required"}}}
	}
	retry, err := s.SendSignInLink(in.Email, s.clientAddr(c), logger(c))
	if errors.Is(err, auth.ErrSignInUnavailable) {
		return problem(http.StatusServiceUnavailable, "sign-in-unavailable", "this instance cannot send e-mail, so sign-in links are off")
	}
	if errors.Is(err, auth.ErrSignInLimited) {
		c.Response().Header().Set("Retry-After", retryAfter(retry))
		return problem(http.StatusTooManyRequests, "too-many-requests", "too many sign-in links asked from this address; wait and try again")
	}
	return c.JSON(http.StatusAccepted, signInSent)
}

// SendSignInLink mails a one-time link to email in the background, for
// the API and the sign-in page alike. It returns before the address is
// even looked up, so that neither the answer nor its timing tells whether
// the address is known; client is the requester's address, counted
// against the per-client limit.
func (s *Server) SendSignInLink(email, client string, log *slog.Logger) (retry time.Duration, err error) {
	if s.mailSignIn == nil {
		return 0, auth.ErrSignInUnavailable
	}
	if ok, retry := s.linkLimiter.Allow(client); !ok {
		return retry, auth.ErrSignInLimited
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		ctx := context.WithoutCancel(s.jobCtx)
		secret, p, err := s.store.CreateSignInLink(ctx, email, s.sessions)
		switch {
		case errors.Is(err, models.ErrNotFound):
			log.Info("sign-in link asked for an unknown address")
			return
		case errors.Is(err, models.ErrTooManySignInLinks):
			log.Warn("sign-in links limited for an address", "person", p.ID)
			return
		case err != nil:
			log.Error("sign-in link not made", "error", err)
			return
		}
		link := s.cfg.PublicURL() + "/signin/link?token=" + url.QueryEscape(secret)
		if err := s.mailSignIn(ctx, p, link, s.store.Now().Add(s.sessions.LinkTTL)); err != nil {
			log.Error("sign-in link not mailed", "person", p.ID, "error", err)
		}
	}()
	return 0, nil
}

// signInPage is what a sign-in link opens: a button that completes the
// sign-in. Opening the link changes nothing by itself, since mail
// scanners open links too and would use it up.
var signInPage = standalonePage("signin", `<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{if .Who}}<p>{{.SignsInAs}} <strong>{{.Who}}</strong>. {{.NotYou}}</p>{{end}}
{{if .Token}}<form method="post" action="/signin/link">
<input type="hidden" name="token" value="{{.Token}}">
<button type="submit">{{.Button}}</button>
</form>{{end}}`)

type signInView struct {
	Lang                      locales.Language
	Title, Message, Token     string
	SignsInAs, NotYou, Button string
	// Who is the masked address the link signs in as, so that nobody is
	// signed in as someone else by a link sent to them (login CSRF).
	Who string
}

// signInText is a sign-in page in l: its title and message are catalogue
// keys (signin_link.*).
func signInText(l locales.Language, title, message string) signInView {
	// The pages' catalogues, so that it speaks as the rest of the sign-in.
	cat, err := locales.Load()
	if err != nil { // a bug in the embedded catalogues, which tests load
		cat = locales.Catalogues{}
	}
	return signInView{Lang: l, Title: cat.Text(l, title), Message: cat.Text(l, message),
		SignsInAs: cat.Text(l, "signin_link.as"), NotYou: cat.Text(l, "signin_link.not_you"), Button: cat.Text(l, "signin_link.button")}
}

// browserLanguage is the language of a sign-in page for someone not yet
// known: their browser's.
func browserLanguage(c echo.Context) locales.Language {
	return locales.Negotiate(c.Request().Header.Get("Accept-Language"))
}

// renderSignIn writes a sign-in page as every standalone page is written
// (renderStandalone).
func renderSignIn(c echo.Context, status int, v signInView) error {
	if v.Lang == "" { // the identity provider's pages, English only
		v.Lang = locales.English
	}
	return renderStandalone(c, status, string(v.Lang), signInPage, v)
}

// signInLinkPage shows the button of a sign-in link, in the language of
// the person it signs in (their own choice, else their browser's).
func (s *Server) signInLinkPage(c echo.Context) error {
	token := c.QueryParam("token")
	if token == "" {
		return renderSignIn(c, http.StatusBadRequest, signInText(browserLanguage(c), "signin_link.incomplete_title", "signin_link.incomplete"))
	}
	ctx := c.Request().Context()
	email, err := s.store.SignInLinkEmail(ctx, token)
	if errors.Is(err, models.ErrSignInLinkInvalid) {
		return renderSignIn(c, http.StatusBadRequest, signInText(browserLanguage(c), "signin_link.invalid_title", "signin_link.invalid"))
	}
	if err != nil {
		return err
	}
	l := browserLanguage(c)
	p, err := s.store.GetPerson(ctx, models.Ref(email))
	switch {
	case errors.Is(err, models.ErrNotFound): // removed meanwhile: the redeem says so
	case err != nil:
		return err
	default:
		if own, ok := locales.Parse(p.Language); ok {
			l = own
		}
	}
	v := signInText(l, "signin_link.title", "signin_link.press")
	v.Token, v.Who = token, maskEmail(email)
	return renderSignIn(c, http.StatusOK, v)
}

// redeemSignInLink uses the link, opens a session under a new secret and
// sets its cookies.
func (s *Server) redeemSignInLink(c echo.Context) error {
	addr := s.clientAddr(c)
	// A form posted from another site could sign the browser in as
	// someone else (login CSRF); browsers say where a POST comes from.
	if origin := c.Request().Header.Get("Origin"); origin != "" && !auth.SameOrigin(origin, s.cfg.PublicURL(), c.Request().Host) {
		logger(c).Warn("sign-in form posted from another origin", "origin", origin)
		return renderSignIn(c, http.StatusForbidden, signInText(browserLanguage(c), "signin_link.refused_title", "signin_link.other_site"))
	}
	if ok, retry := s.failLimiter.Check(addr); !ok {
		c.Response().Header().Set("Retry-After", retryAfter(retry))
		return renderSignIn(c, http.StatusTooManyRequests, signInText(browserLanguage(c), "signin_link.limited_title", "signin_link.limited"))
	}
	secret, a, err := s.store.RedeemSignInLink(c.Request().Context(), c.FormValue("token"), c.Request().UserAgent(), s.sessions)
	if errors.Is(err, models.ErrSignInLinkInvalid) {
		s.failLimiter.Allow(addr) //nolint:errcheck // counts the failure
		logger(c).Warn("sign-in with an invalid link", "client", addr)
		return renderSignIn(c, http.StatusBadRequest, signInText(browserLanguage(c), "signin_link.invalid_title", "signin_link.invalid"))
	}
	if err != nil {
		return err
	}
	s.setSessionCookies(c, secret)
	logger(c).Info("signed in", "person", a.PersonID, "method", models.SignInLink)
	return c.Redirect(http.StatusSeeOther, auth.Returned(c.Request(), c.Response(), auth.AfterSignIn, auth.SecureBase(s.cfg.BaseURL)))
}

func (s *Server) setSessionCookies(c echo.Context, secret string) {
	// The browser's previous session, if any, ends: one browser holds one
	// session, and the cookie it replaces must not stay usable elsewhere.
	if old, err := c.Cookie(auth.SessionCookie); err == nil && old.Value != "" && old.Value != secret {
		if err := s.store.EndSessionSecret(c.Request().Context(), old.Value); err != nil {
			logger(c).Error("the replaced session was not ended", "error", err)
		}
	}
	for _, ck := range auth.Cookies(secret, auth.SecureBase(s.cfg.BaseURL), s.sessions.Absolute) {
		c.SetCookie(ck)
	}
}

// clientAddr is the client a request comes from, for the sign-in
// limits: the connection's address, or, when that is a trusted proxy
// (JOINTCAL_TRUSTED_PROXIES), the right-most X-Forwarded-For address
// that is not one. Forwarded headers from anyone else are ignored: a
// client could set them to escape its limit. An IPv6 client counts by
// its /64, which one subscriber usually holds whole.
func (s *Server) clientAddr(c echo.Context) string {
	ip := remoteIP(c.Request().RemoteAddr)
	if ip.IsValid() && s.trustedProxy(ip) {
		hops := strings.Split(c.Request().Header.Get(echo.HeaderXForwardedFor), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			ip = hop.Unmap()
			if !s.trustedProxy(ip) {
				break
			}
		}
	}
	if !ip.IsValid() {
		return c.Request().RemoteAddr
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

func remoteIP(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func (s *Server) trustedProxy(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func retryAfter(d time.Duration) string {
	secs := int(d.Seconds()) + 1
	return itoa(int64(secs))
}

// maskEmail shows enough of an address for its owner to recognise it
// (a•••@eeas.example) and little more to whoever else holds the link.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "•••"
	}
	r := []rune(local)
	return string(r[0]) + "•••@" + domain
}
