package api

import (
	"context"
	"net/http"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

func exerciseTemplateCRUD(s *Server) crud[models.ExerciseTemplate, models.ExerciseTemplateInput] {
	return crud[models.ExerciseTemplate, models.ExerciseTemplateInput]{
		s: s, create: s.store.CreateExerciseTemplate, update: s.store.UpdateExerciseTemplate, remove: s.store.DeleteExerciseTemplate,
		get: func(ctx context.Context, ref string) (*models.ExerciseTemplate, error) {
			return s.store.GetExerciseTemplate(ctx, models.Ref(ref))
		},
		list: func(c echo.Context, o models.ListOptions) (any, error) {
			return s.store.ListExerciseTemplates(c.Request().Context(), models.ExerciseTemplateFilter{Series: c.QueryParam("series"), Kind: c.QueryParam("kind"), ListOptions: o})
		},
		input:   (*models.ExerciseTemplate).Input,
		id:      func(v *models.ExerciseTemplate) int64 { return v.ID },
		version: func(v *models.ExerciseTemplate) int { return v.Version },
	}
}

// setResponse is an exercise written with its children, and the one
// conflict report of the whole set.
type setResponse struct {
	Activity   models.ActivityView   `json:"activity"`
	Children   []models.ActivityView `json:"children"`
	Warnings   []models.ConflictView `json:"warnings"`
	Overridden []models.ConflictView `json:"overridden_conflicts,omitempty"`
}

func writeSet(c echo.Context, status int, r *models.SetResult) error {
	setETag(c, r.Activity.Version)
	resp := setResponse{Activity: r.Activity, Children: r.Children, Warnings: r.Report.Warnings}
	if resp.Children == nil {
		resp.Children = []models.ActivityView{}
	}
	if r.Overridden {
		resp.Overridden = r.Report.Conflicts
	}
	return c.JSON(status, resp)
}

// instantiateTemplate creates an exercise and its children from a
// template, all or nothing.
func (s *Server) instantiateTemplate(c echo.Context) error {
	var req activityRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	r, err := s.store.InstantiateTemplate(c.Request().Context(), actor(c), models.Ref(c.Param("id")), req.ActivityInput, storage.WriteOptions{OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/activities/"+itoa(r.Activity.ID))
	return writeSet(c, http.StatusCreated, r)
}

// moveRequest moves an activity and its children to a new start.
type moveRequest struct {
	Start          time.Time `json:"start"`
	OverrideReason string    `json:"override_reason,omitempty"`
}

func (s *Server) moveActivity(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	want, err := ifVersion(c)
	if err != nil {
		return err
	}
	var req moveRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	r, err := s.store.MoveActivity(c.Request().Context(), actor(c), id, req.Start, storage.WriteOptions{IfVersion: want, OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	return writeSet(c, http.StatusOK, r)
}
