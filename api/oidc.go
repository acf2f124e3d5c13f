package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// newOIDC builds the OpenID Connect client of the settings, or nil when
// OIDC sign-in is off. It makes no request: discovery waits for the
// first sign-in.
func newOIDC(cfg config.Config) *auth.OIDC {
	if !cfg.OIDC.Enabled() {
		return nil
	}
	return auth.NewOIDC(auth.OIDCConfig{
		Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret,
		RedirectURL: cfg.OIDCRedirectURL(), Scopes: cfg.OIDC.Scopes, GroupsClaim: cfg.OIDC.GroupsClaim, TrustEmail: cfg.OIDC.TrustEmail,
	})
}

// stateCookie carries an attempt's state to the callback only; Lax, so
// that the provider's top-level redirect back brings it along.
func (s *Server) stateCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: auth.OIDCStateCookie, Value: value, Path: "/signin/oidc", HttpOnly: true, Secure: auth.SecureBase(s.cfg.BaseURL), SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
}

// startOIDC sends the browser to the provider with a fresh state, nonce
// and PKCE challenge; the state also goes into a cookie, the nonce and
// verifier into the database.
func (s *Server) startOIDC(c echo.Context) error {
	if s.oidc == nil {
		return renderSignIn(c, http.StatusNotFound, signInView{Title: "Sign-in with an identity provider is off", Message: "This jointcal has no OpenID Connect provider configured; ask for an e-mailed sign-in link instead."})
	}
	if ok, retry := s.failLimiter.Check(s.clientAddr(c)); !ok {
		c.Response().Header().Set("Retry-After", retryAfter(retry))
		return renderSignIn(c, http.StatusTooManyRequests, signInView{Title: "Too many attempts", Message: "Too many failed sign-ins from this address; wait a few minutes."})
	}
	// Every start stores an attempt: starts are counted too, so that a
	// flood cannot fill the table or hold SQLite's writer.
	if ok, retry := s.startLimiter.Allow(s.clientAddr(c)); !ok {
		c.Response().Header().Set("Retry-After", retryAfter(retry))
		return renderSignIn(c, http.StatusTooManyRequests, signInView{Title: "Too many attempts", Message: "Too many sign-ins started from this address; wait a few minutes."})
	}
	ctx := c.Request().Context()
	a, err := auth.NewOIDCAttempt()
	if err != nil {
		return err
	}
	to, err := s.oidc.AuthCodeURL(ctx, a)
	if err != nil {
		logger(c).Error("OIDC sign-in not started: the provider's discovery failed", "error", err)
		return renderSignIn(c, http.StatusServiceUnavailable, signInView{Title: "Identity provider unreachable", Message: "jointcal cannot reach the identity provider just now; try again in a minute."})
	}
	if err := s.store.SaveOIDCLogin(ctx, a.State, a.Nonce, a.Verifier, auth.OIDCAttemptTTL); err != nil {
		return err
	}
	c.SetCookie(s.stateCookie(a.State, int(auth.OIDCAttemptTTL.Seconds())))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, to)
}

// oidcCallback completes a sign-in: the state must match the browser's
// cookie and an attempt in progress (once), the code is exchanged with
// the attempt's verifier, the ID token verified with its nonce; then the
// person is found (or created), their group grants synced and a session
// opened.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.oidc == nil {
		return renderSignIn(c, http.StatusNotFound, signInView{Title: "Sign-in with an identity provider is off", Message: "This jointcal has no OpenID Connect provider configured."})
	}
	addr := s.clientAddr(c)
	if ok, retry := s.failLimiter.Check(addr); !ok {
		c.Response().Header().Set("Retry-After", retryAfter(retry))
		return renderSignIn(c, http.StatusTooManyRequests, signInView{Title: "Too many attempts", Message: "Too many failed sign-ins from this address; wait a few minutes."})
	}
	ctx := c.Request().Context()
	q := c.Request().URL.Query()
	state := q.Get("state")
	var cookie string
	if ck, err := c.Cookie(auth.OIDCStateCookie); err == nil {
		cookie = ck.Value
	}
	c.SetCookie(s.stateCookie("", -1))
	if !auth.SameState(state, cookie) {
		return s.oidcFailed(c, http.StatusBadRequest, "wrong_state", "this return from the identity provider does not belong to a sign-in started in this browser (wrong or missing state); start again")
	}
	nonce, verifier, err := s.store.TakeOIDCLogin(ctx, state)
	if errors.Is(err, models.ErrOIDCLoginInvalid) {
		return s.oidcFailed(c, http.StatusBadRequest, "attempt_used_or_expired", err.Error())
	}
	if err != nil {
		return err
	}
	// The provider's own words are shown only once the state proved that
	// this browser started the attempt, so that nobody can craft a link
	// that makes jointcal say what they like; the template escapes them.
	if e := q.Get("error"); e != "" {
		reason := "the identity provider refused the sign-in: " + trimReason(e)
		if d := q.Get("error_description"); d != "" {
			reason += " (" + trimReason(d) + ")"
		}
		return s.oidcFailed(c, http.StatusBadRequest, "provider_error", reason)
	}
	code := q.Get("code")
	if code == "" {
		return s.oidcFailed(c, http.StatusBadRequest, "no_code", "the identity provider sent no sign-in code")
	}
	id, err := s.oidc.Exchange(ctx, code, auth.OIDCAttempt{State: state, Nonce: nonce, Verifier: verifier})
	var failure *auth.OIDCFailure
	switch {
	case errors.As(err, &failure):
		logger(c).Warn("OIDC sign-in refused", "client", addr, "reason", failure.Reason, "error", failure.Err)
		return s.oidcFailed(c, http.StatusBadRequest, "invalid_response", failure.Reason)
	case errors.Is(err, auth.ErrOIDCUnavailable):
		logger(c).Error("OIDC sign-in: the provider's discovery failed", "error", err)
		return renderSignIn(c, http.StatusServiceUnavailable, signInView{Title: "Identity provider unreachable", Message: "jointcal cannot reach the identity provider just now; try again in a minute."})
	case err != nil:
		return err
	}
	return s.completeOIDC(c, id)
}

// completeOIDC signs in the person a verified identity names.
func (s *Server) completeOIDC(c echo.Context, id *auth.OIDCIdentity) error {
	ctx := c.Request().Context()
	in := models.OIDCIdentity{Account: s.cfg.OIDC.Issuer + " " + id.Subject, Email: id.Email, Name: id.Name, ZoneInfo: id.ZoneInfo, Grants: mappedGrants(s.cfg.OIDC.GroupGrants, id.Groups), SyncGrants: len(s.cfg.OIDC.GroupGrants) > 0}
	personID, created, err := s.store.OIDCPerson(ctx, in, s.cfg.OIDC.CreatePeople)
	switch {
	case errors.Is(err, models.ErrNotFound):
		s.failLimiter.Allow(s.clientAddr(c)) //nolint:errcheck // counts the failure
		logger(c).Warn("OIDC sign-in refused: address not known to jointcal", "email", id.Email, "subject", id.Subject)
		if aerr := s.store.AuditFailedSignIn(ctx, models.SignInOIDC, 0, id.Email, "address not known to jointcal"); aerr != nil {
			return aerr
		}
		return renderSignIn(c, http.StatusForbidden, signInView{Title: "Address not known", Message: "The identity provider signed you in as " + id.Email + ", but this address is not known to jointcal. Ask a jointcal administrator to add you as a person."})
	case errors.Is(err, models.ErrOIDCAccountMismatch):
		s.failLimiter.Allow(s.clientAddr(c)) //nolint:errcheck // counts the failure
		logger(c).Warn("OIDC sign-in refused: the address belongs to a person bound to another account", "subject", id.Subject)
		if aerr := s.store.AuditFailedSignIn(ctx, models.SignInOIDC, 0, id.Email, err.Error()); aerr != nil {
			return aerr
		}
		return renderSignIn(c, http.StatusForbidden, signInView{Title: "Another account", Message: "The identity provider signed you in with an account that jointcal does not know for " + id.Email + ". Sign in with the account you used before, or ask a jointcal administrator."})
	case errors.Is(err, models.ErrOIDCMapping):
		logger(c).Error("OIDC sign-in refused: fix JOINTCAL_OIDC_GROUP_GRANTS", "email", id.Email, "error", err)
		if aerr := s.store.AuditFailedSignIn(ctx, models.SignInOIDC, 0, id.Email, err.Error()); aerr != nil {
			return aerr
		}
		return renderSignIn(c, http.StatusInternalServerError, signInView{Title: "Sign-in misconfigured", Message: "Your groups map to an organisation jointcal does not know (JOINTCAL_OIDC_GROUP_GRANTS); tell a jointcal administrator."})
	case err != nil:
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return s.oidcFailed(c, http.StatusBadRequest, "unusable_identity", "the identity provider's answer cannot make a person: "+ve.Error())
		}
		return err
	}
	secret, a, err := s.store.StartSession(ctx, personID, models.SignInOIDC, c.Request().UserAgent(), s.sessions)
	if err != nil {
		return err
	}
	s.setSessionCookies(c, secret)
	logger(c).Info("signed in", "person", a.PersonID, "method", models.SignInOIDC, "created", created)
	return c.Redirect(http.StatusSeeOther, auth.Returned(c.Request(), c.Response(), auth.AfterSignIn, auth.SecureBase(s.cfg.BaseURL)))
}

// oidcFailed answers a refused sign-in with a page giving the reason,
// counts it against the client's limit and logs it (never the code or
// the state).
func (s *Server) oidcFailed(c echo.Context, status int, kind, reason string) error {
	addr := s.clientAddr(c)
	s.failLimiter.Allow(addr) //nolint:errcheck // counts the failure
	logger(c).Warn("OIDC sign-in failed", "client", addr, "kind", kind, "reason", reason)
	return renderSignIn(c, status, signInView{Title: "Sign-in failed", Message: "Sign-in failed: " + reason + "."})
}

// mappedGrants are the grants the person's groups give.
func mappedGrants(mapping []config.GroupGrant, groups []string) []models.OIDCGrant {
	member := map[string]bool{}
	for _, g := range groups {
		member[g] = true
	}
	var out []models.OIDCGrant
	for _, m := range mapping {
		if member[m.Group] {
			out = append(out, models.OIDCGrant{Role: models.Role(m.Role), Organization: m.Organization})
		}
	}
	return out
}

// trimReason bounds text a provider put in the query string before it
// is shown or logged.
func trimReason(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
