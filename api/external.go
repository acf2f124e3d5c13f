package api

import (
	"context"
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// ExternalSyncer fetches one subscription now; the scheduler provides it
// (the API does not fetch remote URLs itself).
type ExternalSyncer func(ctx context.Context, id int64) error

// SetExternalSyncer wires POST /api/v1/external-calendars/{id}/sync.
func (s *Server) SetExternalSyncer(f ExternalSyncer) { s.syncExternal = f }

func (s *Server) createExternal(c echo.Context) error {
	var in models.ExternalCalendarInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	e, err := s.store.CreateExternalCalendar(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func (s *Server) listExternal(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListExternalCalendars(c.Request().Context(), actor(c), opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) getExternal(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	e, err := s.store.GetExternalCalendar(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

func (s *Server) deleteExternal(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteExternalCalendar(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// syncExternalNow fetches a subscription at once and answers its state;
// a failed fetch is recorded on the subscription, not turned into a 5xx.
func (s *Server) syncExternalNow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.store.AuthorizeExternalSync(ctx, actor(c), id); err != nil {
		return err
	}
	if s.syncExternal == nil {
		return problem(http.StatusServiceUnavailable, "sync-unavailable", "this instance does not sync external calendars")
	}
	_ = s.syncExternal(ctx, id) // the outcome is recorded on the subscription
	e, err := s.store.GetExternalCalendar(ctx, actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}
