package api

import (
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// createdToken is the answer to POST /api/v1/me/tokens: the token and,
// this once, its secret.
type createdToken struct {
	models.PersonalToken
	Secret string `json:"secret"`
}

// createMyToken issues a personal access token to the signed-in person;
// the store refuses service tokens and tokens minting tokens.
func (s *Server) createMyToken(c echo.Context) error {
	var in models.PersonalTokenInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	t, secret, err := s.store.CreatePersonalToken(c.Request().Context(), actor(c), in, s.cfg.TokenMaxLifetime)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, createdToken{PersonalToken: *t, Secret: secret})
}

// listMyTokens lists the caller's personal tokens, never their secrets.
func (s *Server) listMyTokens(c echo.Context) error {
	list, err := s.store.ListPersonalTokens(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": list})
}

// revokeMyToken revokes one of the caller's personal tokens.
func (s *Server) revokeMyToken(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokePersonalToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
