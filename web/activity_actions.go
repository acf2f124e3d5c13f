package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// activityID reads the id of an activity route; 0 when it is not one.
func activityID(c echo.Context) int64 {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// activityICS downloads one activity as a calendar file, rendered as the
// feeds render it.
func (w *Web) activityICS(c echo.Context) error {
	id := activityID(c)
	v, err := w.Store.GetActivity(c.Request().Context(), actor(c), id)
	if id == 0 || errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ev := v.CalendarEvent(w.Config.PublicURL(), w.Config.UIDHost())
	if err := calendar.Render(&buf, calendar.Calendar{Name: v.Title, RefreshInterval: w.Config.FeedRefresh, Stamp: v.UpdatedAt}, []calendar.Event{ev}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="activity-`+strconv.FormatInt(id, 10)+`.ics"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", buf.Bytes())
}

// removeData is the confirmation page's data.
type removeData struct{ A *models.ActivityView }

// removePage asks before an activity is cancelled or deleted: cancelling
// keeps it on the plan, marked, and tells subscribers; deleting removes
// it.
func (w *Web) removePage(c echo.Context) error {
	p, v, err := w.writable(c)
	if err != nil || v == nil {
		return err
	}
	p.Title, p.Data = p.T("remove.title", v.Title), removeData{A: v}
	return w.render(c, "activity_remove", p)
}

// writable loads the activity of the route for a change by the person:
// not found when they may not see it, forbidden when they may not change
// it (a nil view means the answer was already written).
func (w *Web) writable(c echo.Context) (*page, *models.ActivityView, error) {
	id := activityID(c)
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return nil, nil, err
	}
	ctx, a := c.Request().Context(), actor(c)
	v, err := w.Store.GetActivity(ctx, a, id)
	if id == 0 || errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return nil, nil, w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := w.Store.CanWriteActivity(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, w.fail(c, http.StatusForbidden, "booking.err.may_not_change")
	}
	return p, v, nil
}

// cancelActivity marks an activity cancelled (the version the person
// confirmed, so that a change made meanwhile is not cancelled unseen).
func (w *Web) cancelActivity(c echo.Context) error {
	_, v, err := w.writable(c)
	if err != nil || v == nil {
		return err
	}
	in := v.Input()
	in.Status = string(models.StatusCancelled)
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err = w.Store.UpdateActivity(c.Request().Context(), actor(c), v.ID, in, storage.WriteOptions{IfVersion: version})
	if errors.Is(err, models.ErrStale) {
		return w.fail(c, http.StatusPreconditionFailed, "remove.stale")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/activities/"+strconv.FormatInt(v.ID, 10))
}

// deleteActivity removes an activity; feeds publish its cancellation.
func (w *Web) deleteActivity(c echo.Context) error {
	_, v, err := w.writable(c)
	if err != nil || v == nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	err = w.Store.DeleteActivity(c.Request().Context(), actor(c), v.ID, version)
	if errors.Is(err, models.ErrStale) {
		return w.fail(c, http.StatusPreconditionFailed, "remove.stale")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/calendar")
}

// changeOccurrence moves or cancels one instance of a recurring activity
// (the API's PATCH /activities/{id}/occurrences/{start}). A move onto a
// hard conflict comes back on the activity page with the clash listed
// and the override offered.
func (w *Web) changeOccurrence(c echo.Context) error {
	p, v, err := w.writable(c)
	if err != nil || v == nil {
		return err
	}
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	rid, err := time.Parse(time.RFC3339, c.FormValue("recurrence_id"))
	if err != nil {
		return w.fail(c, http.StatusBadRequest, "occurrence.bad")
	}
	var ch models.OccurrenceChange
	if c.FormValue("action") == "cancel" {
		ch.Cancelled = true
	} else {
		start, err := parseFormTime(c.FormValue("start"), loc)
		if err != nil {
			return w.activityWith(c, p, v.ID, http.StatusUnprocessableEntity, func(d *activityData) {
				d.OccurrenceError, d.OccurrenceRID = p.T("booking.err.time"), rid
			})
		}
		ch.Start = &start
	}
	reason := strings.TrimSpace(c.FormValue("override_reason"))
	_, err = w.Store.ChangeOccurrence(c.Request().Context(), actor(c), v.ID, rid, ch, storage.WriteOptions{OverrideReason: reason})
	var cerr *models.ConflictError
	var verr *models.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/activities/"+strconv.FormatInt(v.ID, 10))
	case errors.As(err, &cerr):
		return w.activityWith(c, p, v.ID, http.StatusConflict, func(d *activityData) {
			d.Refused, d.OccurrenceRID, d.OccurrenceStart = &models.CheckReport{Conflicts: cerr.Conflicts, Warnings: cerr.Warnings}, rid, c.FormValue("start")
		})
	case errors.As(err, &verr):
		msgs := make([]string, len(verr.Errors))
		for i, fe := range verr.Errors {
			msgs[i] = p.FieldMessage(fe)
		}
		return w.activityWith(c, p, v.ID, http.StatusUnprocessableEntity, func(d *activityData) {
			d.OccurrenceError, d.OccurrenceRID = strings.Join(msgs, "; "), rid
		})
	}
	return err
}
