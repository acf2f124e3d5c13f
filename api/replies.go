package api

import (
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// replyActivity records the signed-in person's answer to an activity. A
// browser session answers through the web application, a token through
// the API; the channel is audited.
func (s *Server) replyActivity(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in models.ReplyInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	ch := models.ChannelAPI
	if _, ok := c.Get(sessionIDKey).(int64); ok {
		ch = models.ChannelWeb
	}
	r, err := s.store.ReplyAs(c.Request().Context(), actor(c), id, in, ch)
	if err != nil {
		return err
	}
	s.nudge() // a required participant's decline tells the lead planners at once
	return c.JSON(http.StatusOK, r)
}

// listReplies is the reply table of an activity, with its summary.
func (s *Server) listReplies(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListReplies(c.Request().Context(), actor(c), id, opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}
