package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// Keys of what the session middleware leaves in the request's context.
const (
	actorKey  = "jointcal.web.actor"
	csrfKey   = "jointcal.web.csrf"
	secretKey = "jointcal.web.session_secret"
	// sessionIDKey is the session's id, which /me marks as "this one".
	sessionIDKey = "jointcal.web.session_id"
)

// session admits a request with a live session cookie and resolves its
// person into an Actor, exactly as the API does for the same cookie. A
// request without one is sent to the sign-in page, which brings the
// person back afterwards. A request that changes something must carry
// the session's CSRF token, as the form field csrf_token or (htmx, the
// calendar's script) the X-CSRF-Token header.
func (w *Web) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(auth.SessionCookie)
		if err != nil || ck.Value == "" {
			return w.toSignIn(c)
		}
		a, sid, err := w.Store.SessionActor(c.Request().Context(), ck.Value, w.Sessions)
		if errors.Is(err, models.ErrUnauthenticated) {
			return w.toSignIn(c)
		}
		if err != nil {
			return err
		}
		if !auth.SafeMethod(c.Request().Method) {
			presented := c.Request().Header.Get(auth.CSRFHeader)
			if presented == "" {
				presented = c.FormValue(auth.CSRFField)
			}
			if !auth.CheckCSRF(ck.Value, presented) {
				w.Log.Warn("page request refused: no valid CSRF token", "person", a.PersonID, "method", c.Request().Method, "path", c.Request().URL.Path)
				return w.fail(c, http.StatusForbidden, "error.csrf")
			}
		}
		admit(c, a, ck.Value, sid)
		if err := next(c); err != nil || auth.SafeMethod(c.Request().Method) {
			return err
		}
		w.nudgeAfter(c)
		return nil
	}
}

// recognise admits the session of a request that no page's session check
// saw (an address no page answers), so that its error page shows the
// person's menu, language and time zone rather than a sign-in link. Like
// any page it marks the session as seen (at most once a minute); it
// refuses nothing and admits nothing more: a request without a live
// session stays anonymous, and the error page changes no data.
func (w *Web) recognise(c echo.Context) {
	if _, ok := c.Get(actorKey).(models.Actor); ok {
		return
	}
	ck, err := c.Cookie(auth.SessionCookie)
	if err != nil || ck.Value == "" {
		return
	}
	a, sid, err := w.Store.SessionActor(c.Request().Context(), ck.Value, w.Sessions)
	if err != nil {
		return
	}
	admit(c, a, ck.Value, sid)
}

// admit leaves a live session's person, CSRF token, secret and id in the
// request's context, for the pages to read.
func admit(c echo.Context, a models.Actor, secret string, sid int64) {
	c.Set(actorKey, a)
	c.Set(csrfKey, auth.CSRFToken(secret))
	c.Set(secretKey, secret)
	c.Set(sessionIDKey, sid)
}

// nudgeAfter asks for the outbox to be sent after a request that changed
// something: whatever a page wrote (a booking, a move, an answer to a
// proposal) may have queued invitations or notices, and they should
// leave now, as they do when the API made the change. A refused change
// (4xx, 5xx) queued nothing.
func (w *Web) nudgeAfter(c echo.Context) {
	if w.NudgeOutbox != nil && c.Response().Status < http.StatusBadRequest {
		w.NudgeOutbox()
	}
}

// toSignIn sends a browser without a session to the sign-in page,
// remembering where it was going. A partial request (htmx) is told to
// load the sign-in page as a whole.
func (w *Web) toSignIn(c echo.Context) error {
	target := "/signin?next=" + url.QueryEscape(auth.LocalPath(c.Request().URL.RequestURI(), auth.AfterSignIn))
	if c.Request().Header.Get("HX-Request") != "" {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusUnauthorized)
	}
	if !auth.SafeMethod(c.Request().Method) || strings.HasPrefix(c.Request().URL.Path, "/calendar/events") {
		return w.fail(c, http.StatusUnauthorized, "error.session_ended")
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// actor is the signed-in person of a request that passed session.
func actor(c echo.Context) models.Actor {
	a, _ := c.Get(actorKey).(models.Actor)
	return a
}
