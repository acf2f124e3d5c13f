package api

import (
	"net/http"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

func (s *Server) createBriefingRequest(c echo.Context) error {
	var in models.BriefingRequestInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	r, err := s.store.RequestBriefing(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) listBriefingRequests(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	q := c.QueryParam
	page, err := s.store.ListBriefingRequests(c.Request().Context(), actor(c), models.BriefingFilter{State: q("state"), Body: models.Ref(q("body")), Area: q("area"), ListOptions: opts})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) countBriefingRequests(c echo.Context) error {
	groupBy := c.QueryParam("group_by")
	if groupBy == "" {
		groupBy = "year"
	}
	counts, err := s.store.CountBriefingRequests(c.Request().Context(), actor(c), groupBy)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"group_by": groupBy, "items": counts})
}

func (s *Server) getBriefingRequest(c echo.Context) error { return byID(c, s.store.GetBriefingRequest) }

func (s *Server) briefingSlots(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	slots, err := s.store.BriefingSlots(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": slots})
}

func (s *Server) scheduleBriefing(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Start time.Time `json:"start"`
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	r, err := s.store.ScheduleBriefing(c.Request().Context(), actor(c), id, in.Start)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) declineBriefing(c echo.Context) error {
	return withReason(s, c, s.store.DeclineBriefing)
}

func (s *Server) withdrawBriefing(c echo.Context) error { return byID(c, s.store.WithdrawBriefing) }
