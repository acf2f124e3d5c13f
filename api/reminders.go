package api

import (
	"net/http"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

func (s *Server) listReminders(c echo.Context) error {
	opts, from, to, err := listWindow(c)
	if err != nil {
		return err
	}
	f := models.ReminderFilter{Status: c.QueryParam("status"), From: from, To: to, ListOptions: opts}
	switch f.Status {
	case "", models.OutboxPending, models.OutboxSending, models.OutboxSent, models.OutboxFailed, models.OutboxExpired, models.OutboxDropped:
	default:
		return unprocessable("status", "want pending, sending, sent, failed, expired or dropped")
	}
	if v := c.QueryParam("activity"); v != "" {
		if f.Activity, err = strconv.ParseInt(v, 10, 64); err != nil || f.Activity <= 0 {
			return invalid("activity", "want an activity id")
		}
	}
	page, err := s.store.ListReminders(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) retryReminder(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := s.store.RetryReminder(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
