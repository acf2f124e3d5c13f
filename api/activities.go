package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// activityRequest is an activity write: the activity's fields plus the
// override reason that forces a booking despite hard conflicts.
type activityRequest struct {
	models.ActivityInput
	OverrideReason string `json:"override_reason,omitempty"`
}

// activityResponse is an activity with the conflict report of the write
// that produced it.
type activityResponse struct {
	models.ActivityView
	Warnings   []models.ConflictView `json:"warnings"`
	Overridden []models.ConflictView `json:"overridden_conflicts,omitempty"`
}

func writeResponse(c echo.Context, status int, r *models.WriteResult) error {
	setETag(c, r.Activity.Version)
	resp := activityResponse{ActivityView: r.Activity, Warnings: r.Report.Warnings}
	if r.Overridden {
		resp.Overridden = r.Report.Conflicts
	}
	return c.JSON(status, resp)
}

func (s *Server) createActivity(c echo.Context) error {
	var req activityRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	r, err := s.store.CreateActivity(c.Request().Context(), actor(c), req.ActivityInput, storage.WriteOptions{OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	s.nudge()
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/activities/"+itoa(r.Activity.ID))
	return writeResponse(c, http.StatusCreated, r)
}

func (s *Server) getActivity(c echo.Context) error {
	if raw, ok := strings.CutSuffix(c.Param("id"), ".ics"); ok {
		id, err := idFrom(raw)
		if err != nil {
			return err
		}
		return s.activityICS(c, id)
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := s.store.GetActivity(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	setETag(c, v.Version)
	return c.JSON(http.StatusOK, v)
}

func (s *Server) updateActivity(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	cur, err := current(c, func() (*models.ActivityView, error) { return s.store.GetActivity(c.Request().Context(), actor(c), id) },
		func(v *models.ActivityView) int { return v.Version })
	if err != nil {
		return err
	}
	req := activityRequest{ActivityInput: cur.Input()}
	if err := s.decode(c, &req); err != nil {
		return err
	}
	r, err := s.store.UpdateActivity(c.Request().Context(), actor(c), id, req.ActivityInput, storage.WriteOptions{IfVersion: cur.Version, OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	s.nudge()
	return writeResponse(c, http.StatusOK, r)
}

func (s *Server) deleteActivity(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	want, err := ifVersion(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteActivity(c.Request().Context(), actor(c), id, want); err != nil {
		return err
	}
	s.nudge()
	return c.NoContent(http.StatusNoContent)
}

// occurrenceRequest moves or cancels one instance.
type occurrenceRequest struct {
	models.OccurrenceChange
	OverrideReason string `json:"override_reason,omitempty"`
}

func (s *Server) changeOccurrence(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	rid, err := time.Parse(time.RFC3339, c.Param("start"))
	if err != nil {
		return invalid("start", "the path names the occurrence by its original start, in RFC 3339 (e.g. 2021-03-10T09:00:00Z)")
	}
	want, err := ifVersion(c)
	if err != nil {
		return err
	}
	var req occurrenceRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	r, err := s.store.ChangeOccurrence(c.Request().Context(), actor(c), id, rid, req.OccurrenceChange, storage.WriteOptions{IfVersion: want, OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	s.nudge()
	return writeResponse(c, http.StatusOK, r)
}

// activityFilter reads the filters shared by the activity and the
// occurrence lists.
func activityFilter(c echo.Context) (models.ActivityFilter, error) {
	opts, from, to, err := listWindow(c)
	if err != nil {
		return models.ActivityFilter{}, err
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return models.ActivityFilter{}, invalid("to", "must be after from")
	}
	q := c.QueryParam
	return models.ActivityFilter{
		From: from, To: to, Kind: q("kind"), Organization: models.Ref(q("organization")), Body: models.Ref(q("body")),
		Person: models.Ref(q("person")), Venue: models.Ref(q("venue")), Area: q("area"), Series: q("series"),
		Status: q("status"), Q: q("q"), ListOptions: opts,
	}, nil
}

func (s *Server) listActivities(c echo.Context) error {
	f, err := activityFilter(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListActivities(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	if err := s.store.FillReplySummaries(c.Request().Context(), actor(c), page.Items); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// listOccurrences answers the expanded instances in a window, with the
// filters of the activity list.
func (s *Server) listOccurrences(c echo.Context) error {
	f, err := activityFilter(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListOccurrences(c.Request().Context(), actor(c), models.OccurrenceFilter{ActivityFilter: f})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}
