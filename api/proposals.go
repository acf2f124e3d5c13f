package api

import (
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

func (s *Server) listProposals(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	q := c.QueryParam
	f := models.ProposalFilter{Awaiting: models.Ref(q("awaiting")), State: q("state"), Lead: models.Ref(q("lead")), ListOptions: opts}
	page, err := s.store.ListProposals(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) getProposal(c echo.Context) error { return byID(c, s.store.GetProposal) }

func (s *Server) agreeToProposal(c echo.Context) error { return byID(c, s.store.AgreeToProposal) }

func (s *Server) declineProposal(c echo.Context) error {
	return withReason(s, c, s.store.DeclineProposal)
}

func (s *Server) counterPropose(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in models.CounterProposal
	if err := s.decode(c, &in); err != nil {
		return err
	}
	p, err := s.store.CounterPropose(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
