package api

import (
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

func (s *Server) listGrants(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListGrants(c.Request().Context(), actor(c), models.Ref(c.QueryParam("person")), opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) createGrant(c echo.Context) error {
	var in models.GrantInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	g, err := s.store.GrantRole(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, g)
}

// deleteGrant takes a role from a person, named by the query
// (?person=&role=&organization=): a grant is what it says, not a number.
func (s *Server) deleteGrant(c echo.Context) error {
	q := c.QueryParam
	in := models.GrantInput{Person: models.Ref(q("person")), Role: models.Role(q("role")), Organization: models.Ref(q("organization"))}
	if err := s.store.RevokeGrant(c.Request().Context(), actor(c), in); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
