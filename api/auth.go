package api

import (
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

const actorKey = "jointcal.actor"

// authenticate resolves the bearer token into an Actor for the handlers.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return models.ErrUnauthenticated
		}
		a, err := s.store.Authenticate(c.Request().Context(), strings.TrimSpace(secret))
		if err != nil {
			return err
		}
		c.Set(actorKey, a)
		return next(c)
	}
}

// actor is the authenticated caller of a request.
func actor(c echo.Context) models.Actor {
	a, _ := c.Get(actorKey).(models.Actor)
	return a
}
