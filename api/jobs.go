package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) listJobs(c echo.Context) error {
	runs, err := s.store.ListJobRuns(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": runs})
}
