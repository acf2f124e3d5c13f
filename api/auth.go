package api

import (
	"net/http"
	"strings"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// Keys of what authentication leaves in the request's context.
const (
	actorKey         = "jointcal.actor"
	sessionIDKey     = "jointcal.session_id"
	sessionSecretKey = "jointcal.session_secret"
)

// authenticate resolves the caller into an Actor for the handlers: a
// bearer token (automation, or a person's personal token), else a session
// cookie (a signed-in person). A request that changes something with a
// session cookie must carry the session's CSRF token in X-CSRF-Token;
// bearer requests need none, since a browser never adds a bearer token by
// itself. A read-only token is refused every request that changes
// something here, in the one place every route passes, so that no
// handler can forget it.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, secret, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
				return models.ErrUnauthenticated
			}
			a, err := s.store.Authenticate(c.Request().Context(), strings.TrimSpace(secret))
			if err != nil {
				return err
			}
			if a.ReadOnly() && !auth.SafeMethod(c.Request().Method) {
				return problem(http.StatusForbidden, "token-read-only", "this token is read-only: it may only read (GET, HEAD); use a read_write token to change something")
			}
			c.Set(actorKey, a)
			return next(c)
		}
		ck, err := c.Cookie(auth.SessionCookie)
		if err != nil || ck.Value == "" {
			return models.ErrUnauthenticated
		}
		a, id, err := s.store.SessionActor(c.Request().Context(), ck.Value, s.sessions)
		if err != nil {
			return err
		}
		if !auth.SafeMethod(c.Request().Method) && !auth.CheckCSRF(ck.Value, c.Request().Header.Get(auth.CSRFHeader)) {
			logger(c).Warn("request refused: no valid CSRF token", "person", a.PersonID, "method", c.Request().Method)
			return problem(http.StatusForbidden, "csrf", "a request that changes something with a session cookie must carry X-CSRF-Token (the value of the jointcal_csrf cookie, or csrf_token from GET /api/v1/me)")
		}
		c.Set(actorKey, a)
		c.Set(sessionIDKey, id)
		c.Set(sessionSecretKey, ck.Value)
		return next(c)
	}
}

// actor is the authenticated caller of a request.
func actor(c echo.Context) models.Actor {
	a, _ := c.Get(actorKey).(models.Actor)
	return a
}
