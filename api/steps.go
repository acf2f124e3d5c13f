package api

import (
	"context"
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// byID answers a route whose whole work is one store call on the path's
// id as the caller (read a proposal, agree to it, withdraw a request).
func byID[T any](c echo.Context, call func(context.Context, models.Actor, int64) (T, error)) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := call(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// withReason is byID for the steps that give a reason in the body
// ({"reason": "…"}): declining a proposal or a briefing request.
func withReason[T any](s *Server, c echo.Context, call func(context.Context, models.Actor, int64, string) (T, error)) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	v, err := call(c.Request().Context(), actor(c), id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
