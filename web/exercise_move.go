package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// moveAllForm is the "move the whole exercise" form of an activity page
// as typed, and what the store said of it.
type moveAllForm struct {
	Start, Reason string
	// Refused is the one conflict report of the set; Error what else
	// was wrong (a bad time, a child the person may not change).
	Refused *models.CheckReport
	Error   string
	// ReasonMissing marks the reason asked for an override.
	ReasonMissing bool
}

// moveExercise moves an activity and every child of it by the same
// offset through the store's MoveActivity: all or nothing, with one
// conflict report for the whole set and the override (with a reason)
// offered when it is refused. The version posted is the one the person
// saw, so a move over someone else's change is refused too.
func (w *Web) moveExercise(c echo.Context) error {
	id, ok := idParam(c)
	if !ok {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	cur, err := w.Store.GetActivity(ctx, a, id)
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return err
	}
	f := moveAllForm{Start: c.FormValue("start"), Reason: strings.TrimSpace(c.FormValue("override_reason"))}
	override := c.FormValue("override") != ""
	version, _ := strconv.Atoi(c.FormValue("version"))
	loc, _ := formZone(cur.TimeZone)
	start, perr := parseFormTime(f.Start, loc)
	status := http.StatusUnprocessableEntity
	switch {
	case perr != nil:
		f.Error = p.T("booking.err.time")
	case override && f.Reason == "":
		f.ReasonMissing, f.Error = true, p.T("booking.err.reason")
	default:
		opts := storage.WriteOptions{IfVersion: version}
		if override {
			opts.OverrideReason = f.Reason
		}
		_, err = w.Store.MoveActivity(ctx, a, id, start, opts)
		var (
			verr *models.ValidationError
			cerr *models.ConflictError
			ferr *models.ForbiddenError
		)
		switch {
		case err == nil:
			return c.Redirect(http.StatusSeeOther, "/activities/"+strconv.FormatInt(id, 10))
		case errors.As(err, &cerr):
			f.Refused, status = &models.CheckReport{Conflicts: cerr.Conflicts, Warnings: cerr.Warnings}, http.StatusConflict
		case errors.As(err, &verr):
			var msgs []string
			for _, fe := range verr.Errors {
				msgs = append(msgs, fe.Field+": "+p.FieldMessage(fe))
			}
			f.Error = strings.Join(msgs, "; ")
		case errors.As(err, &ferr):
			f.Error, status = ferr.Reason, http.StatusForbidden
		case errors.Is(err, models.ErrStale):
			f.Error, status = p.T("activity.move_stale"), http.StatusPreconditionFailed
		default:
			return err
		}
	}
	return w.activityWith(c, p, id, status, func(d *activityData) { d.Move = f })
}
