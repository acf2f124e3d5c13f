package api

import (
	"net/http"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// meView is GET /api/v1/me: who the caller is, how they authenticated,
// and for a browser session the CSRF token its writes must carry.
type meView struct {
	*models.Me
	AuthenticatedBy string `json:"authenticated_by"`
	CSRFToken       string `json:"csrf_token,omitempty"`
}

func (s *Server) meAnswer(c echo.Context, me *models.Me) error {
	v := meView{Me: me, AuthenticatedBy: "token"}
	if secret, ok := c.Get(sessionSecretKey).(string); ok {
		v.AuthenticatedBy, v.CSRFToken = "session", auth.CSRFToken(secret)
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) getMe(c echo.Context) error {
	me, err := s.store.GetMe(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return s.meAnswer(c, me)
}

func (s *Server) updateMe(c echo.Context) error {
	var in models.MeInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	me, err := s.store.UpdateMe(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return s.meAnswer(c, me)
}

// requirePerson refuses callers that are not a signed-in person.
func requirePerson(c echo.Context) error {
	if actor(c).PersonID == 0 {
		return &models.ForbiddenError{Reason: "only a signed-in person has sessions; this is a service token"}
	}
	return nil
}

func (s *Server) listSessions(c echo.Context) error {
	if err := requirePerson(c); err != nil {
		return err
	}
	current, _ := c.Get(sessionIDKey).(int64)
	list, err := s.store.ListSessions(c.Request().Context(), actor(c), current, s.sessions)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": list})
}

// signOut ends the session of the request and clears its cookies.
func (s *Server) signOut(c echo.Context) error {
	id, ok := c.Get(sessionIDKey).(int64)
	if !ok {
		return &models.ForbiddenError{Reason: "sign-out ends a browser session; this request carries a token (revoke it instead)"}
	}
	if err := s.store.EndSession(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	for _, ck := range auth.ClearCookies(auth.SecureBase(s.cfg.BaseURL)) {
		c.SetCookie(ck)
	}
	return c.NoContent(http.StatusNoContent)
}

// signOutEverywhere ends every session of the person.
func (s *Server) signOutEverywhere(c echo.Context) error {
	if err := requirePerson(c); err != nil {
		return err
	}
	n, err := s.store.EndAllSessions(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	if _, ok := c.Get(sessionIDKey).(int64); ok {
		for _, ck := range auth.ClearCookies(auth.SecureBase(s.cfg.BaseURL)) {
			c.SetCookie(ck)
		}
	}
	return c.JSON(http.StatusOK, map[string]int64{"ended": n})
}

// myActivities lists the activities the signed-in person takes part in,
// directly or through a body they belong to, with the filters of the
// activity list; without a window, those from now on.
func (s *Server) myActivities(c echo.Context) error {
	if err := requirePerson(c); err != nil {
		return err
	}
	f, err := activityFilter(c)
	if err != nil {
		return err
	}
	f.Involving = actor(c).PersonID
	if f.From.IsZero() && f.To.IsZero() {
		f.From = s.store.Now()
	}
	page, err := s.store.ListActivities(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}
