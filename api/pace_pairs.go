package api

import (
	"net/http"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

func (s *Server) createPacePair(c echo.Context) error {
	var in models.PacePairInput
	if err := s.decode(c, &in); err != nil {
		return err
	}
	p, err := s.store.CreatePacePair(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	setETag(c, p.Version)
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/pace-pairs/"+itoa(p.ID))
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) listPacePairs(c echo.Context) error {
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	f := models.PacePairFilter{ListOptions: opts}
	for name, dst := range map[string]*int64{"year": nil, "activity": &f.Activity} {
		v := c.QueryParam(name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return invalid(name, "want a positive integer")
		}
		if dst != nil {
			*dst = n
		} else {
			f.Year = int(n)
		}
	}
	page, err := s.store.ListPacePairs(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) getPacePair(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := s.store.GetPacePair(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	setETag(c, p.Version)
	return c.JSON(http.StatusOK, p)
}

func (s *Server) deletePacePair(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	want, err := ifVersion(c)
	if err != nil {
		return err
	}
	if err := s.store.DeletePacePair(c.Request().Context(), actor(c), id, want); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// addPacePairMeeting books a coordination meeting of a pair.
func (s *Server) addPacePairMeeting(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var req activityRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	r, err := s.store.AddPacePairMeeting(c.Request().Context(), actor(c), id, req.ActivityInput, storage.WriteOptions{OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/activities/"+itoa(r.Activity.ID))
	return writeResponse(c, http.StatusCreated, r)
}
