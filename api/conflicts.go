package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// checkRequest is either a draft activity, or {activity: ID, changes: {…}}
// to check an edit of a stored one.
type checkRequest struct {
	Activity json.RawMessage `json:"activity"`
	Changes  json.RawMessage `json:"changes"`
}

// checkConflicts answers {conflicts, warnings} for a draft, writing nothing.
func (s *Server) checkConflicts(c echo.Context) error {
	var raw json.RawMessage
	if err := s.decode(c, &raw); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return invalid("body", "want a JSON object")
	}
	_, hasActivity := probe["activity"]
	_, hasChanges := probe["changes"]
	var (
		id int64
		in models.ActivityInput
	)
	if hasActivity || hasChanges {
		var req checkRequest
		if err := strictUnmarshal(raw, &req); err != nil {
			return err
		}
		if err := json.Unmarshal(req.Activity, &id); err != nil || id <= 0 {
			return invalid("activity", "want the id of the stored activity being edited")
		}
		cur, err := s.store.GetActivity(ctx, actor(c), id)
		if err != nil {
			return err
		}
		in = cur.Input()
		if len(req.Changes) > 0 {
			if err := strictUnmarshal(req.Changes, &in); err != nil {
				return err
			}
		}
	} else if err := strictUnmarshal(raw, &in); err != nil {
		return err
	}
	report, err := s.store.CheckActivity(ctx, actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, report)
}

// strictUnmarshal decodes a JSON fragment refusing unknown fields.
func strictUnmarshal(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err, raw)
	}
	return nil
}
