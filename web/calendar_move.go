package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// moveRequest is a drag in the calendar: the activity, the original
// start of the occurrence dragged (RFC 3339), and where it was dropped
// (wall times in the person's zone, as the component gives them).
type moveRequest struct {
	ID             int64  `json:"id"`
	Occurrence     string `json:"occurrence"`
	Start          string `json:"start"`
	End            string `json:"end"`
	OverrideReason string `json:"override_reason"`
}

// moveClash is a conflict as the calendar's dialog lists it: written in
// the person's language on the server, so that the script only places
// text. A restricted activity of another organisation has no title and
// no link.
type moveClash struct {
	Severity string `json:"severity"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
	URL      string `json:"url,omitempty"`
	When     string `json:"when"`
}

// moveAnswer is the answer to a drag.
type moveAnswer struct {
	Moved   bool        `json:"moved"`
	Message string      `json:"message,omitempty"`
	Clashes []moveClash `json:"clashes,omitempty"`
}

// calendarMove moves what was dragged: the single occurrence of a
// recurring activity, or the whole activity otherwise, through the same
// store functions as the API (PATCH of the activity or of the
// occurrence), with their conflict checks. Hard conflicts answer 409
// with the clashes; the drag may then be repeated with a reason.
func (w *Web) calendarMove(c echo.Context) error {
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return err
	}
	var req moveRequest
	if err := c.Bind(&req); err != nil {
		return c.JSON(http.StatusBadRequest, moveAnswer{Message: p.T("move.bad")})
	}
	start, serr := parseWallTime(req.Start, p.Zone)
	end, eerr := parseWallTime(req.End, p.Zone)
	rid, rerr := time.Parse(time.RFC3339, req.Occurrence)
	if req.ID <= 0 || serr != nil || eerr != nil || rerr != nil || !end.After(start) {
		return c.JSON(http.StatusBadRequest, moveAnswer{Message: p.T("move.bad")})
	}
	ctx, a := c.Request().Context(), actor(c)
	v, err := w.Store.GetActivity(ctx, a, req.ID)
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return c.JSON(http.StatusNotFound, moveAnswer{Message: p.T("error.no_activity")})
	}
	if err != nil {
		return err
	}
	opts := storage.WriteOptions{OverrideReason: strings.TrimSpace(req.OverrideReason)}
	if v.RRule != "" || len(v.RDates) > 0 {
		_, err = w.Store.ChangeOccurrence(ctx, a, v.ID, rid, models.OccurrenceChange{Start: &start, End: &end}, opts)
	} else {
		in := v.Input()
		in.Start, in.End = start, end
		opts.IfVersion = v.Version
		_, err = w.Store.UpdateActivity(ctx, a, v.ID, in, opts)
	}
	var cerr *models.ConflictError
	var verr *models.ValidationError
	var ferr *models.ForbiddenError
	switch {
	case err == nil:
		return c.JSON(http.StatusOK, moveAnswer{Moved: true})
	case errors.As(err, &cerr):
		ans := moveAnswer{Message: p.T("move.refused")}
		for _, cv := range append(cerr.Conflicts, cerr.Warnings...) {
			ans.Clashes = append(ans.Clashes, clashFor(p, cv))
		}
		return c.JSON(http.StatusConflict, ans)
	case errors.As(err, &verr):
		msgs := make([]string, len(verr.Errors))
		for i, fe := range verr.Errors {
			msgs[i] = p.FieldMessage(fe)
		}
		return c.JSON(http.StatusUnprocessableEntity, moveAnswer{Message: strings.Join(msgs, "; ")})
	case errors.As(err, &ferr):
		return c.JSON(http.StatusForbidden, moveAnswer{Message: p.T("booking.err.may_not_change")})
	case errors.Is(err, models.ErrStale):
		return c.JSON(http.StatusPreconditionFailed, moveAnswer{Message: p.T("remove.stale")})
	}
	return err
}

// clashFor writes a conflict for the dialog.
func clashFor(p *page, cv models.ConflictView) moveClash {
	m := moveClash{
		Severity: cv.Severity,
		Text:     p.T("severity."+cv.Severity) + " · " + p.Label("rule", cv.Rule) + " · " + cv.Resource.Name,
		When:     p.ShortDate(cv.Overlap.Start) + " " + p.Time(cv.Overlap.Start) + "–" + p.Time(cv.Overlap.End),
	}
	switch {
	case cv.Other.Restricted:
		m.Title = p.T("calendar.busy_restricted")
	case cv.Other.ActivityID != 0:
		m.Title, m.URL = cv.Other.Title, "/activities/"+strconv.FormatInt(cv.Other.ActivityID, 10)
	default:
		m.Title = cv.Other.Title
	}
	return m
}

// editableEvent marks an event the person may drag — the store's answer
// for its lead organisation, not for a cancelled activity — and names
// the occurrence a drag moves by its original start.
func editableEvent(ev calendarEvent, o models.OccurrenceView, access models.WriteAccess) calendarEvent {
	ev.Editable = access.LedBy(o.Activity.LeadOrganization) && o.Activity.Status != string(models.StatusCancelled)
	ev.StartEditable, ev.DurationEditable = ev.Editable, ev.Editable
	ev.Props["activity"] = strconv.FormatInt(o.Activity.ID, 10)
	ev.Props["occurrence"] = o.OriginalStart().UTC().Format(time.RFC3339)
	return ev
}
