package api

import (
	"net/http"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

func (s *Server) listAudit(c echo.Context) error {
	opts, from, to, err := listWindow(c)
	if err != nil {
		return err
	}
	f := models.AuditFilter{Entity: c.QueryParam("entity"), Actor: c.QueryParam("actor"), From: from, To: to, ListOptions: opts}
	switch c.QueryParam("order") {
	case "", "desc":
	case "asc":
		f.Oldest = true
	default:
		return unprocessable("order", "want asc or desc")
	}
	if v := c.QueryParam("entity_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return invalid("entity_id", "want a positive integer")
		}
		f.EntityID = id
	}
	page, err := s.store.ListAudit(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}
