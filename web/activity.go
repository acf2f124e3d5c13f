package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// activityData is the activity page's data.
type activityData struct {
	A *models.ActivityView
	// Zone is the activity's own zone, shown beside the person's when
	// they differ.
	Zone        *time.Location
	Occurrences []models.OccurrenceView
	Conflicts   models.CheckReport
	History     []models.AuditEntry
	// MayWrite offers the edit, cancel and per-occurrence actions (the
	// store's answer; the actions are authorised again).
	MayWrite  bool
	Recurring bool
	// Replies is the summary of the answers, for those who plan the
	// activity (nil for others).
	Replies *models.ReplySummary
	// Refused is the clash list of an occurrence move the store refused;
	// OccurrenceRID names that occurrence, OccurrenceStart the start asked
	// for, OccurrenceError what was wrong with the request.
	Refused         *models.CheckReport
	OccurrenceRID   time.Time
	OccurrenceStart string
	OccurrenceError string
	// Children are the activity's phases and planning events the person
	// may see; Move is the "move the whole exercise" form's state.
	Children []models.ActivityView
	Move     moveAllForm
}

// OriginalStart names an occurrence for a change: its start before any
// move.
func (d activityData) OriginalStart(o models.OccurrenceView) string {
	return o.OriginalStart().UTC().Format(time.RFC3339)
}

// WallStart is an occurrence's start as the move field takes it: a wall
// time in the activity's zone.
func (d activityData) WallStart(t time.Time) string { return t.In(d.Zone).Format(wallLayout) }

// IsRefused says whether o is the occurrence whose move was refused.
func (d activityData) IsRefused(o models.OccurrenceView) bool {
	return !d.OccurrenceRID.IsZero() && d.OriginalStart(o) == d.OccurrenceRID.UTC().Format(time.RFC3339)
}

// SameZone reports whether the activity's zone is the person's (then
// one time is shown, not two).
func (d activityData) SameZone(p *page) bool { return d.Zone.String() == p.Zone.String() }

// historyShown bounds the history on the page; the API pages through all.
const historyShown = 50

// activityPage shows one activity: what, when, where, who, conflicts,
// the coming occurrences and the history. It resolves the id through the
// store's visibility, so another organisation's restricted activity is
// "not found", like a missing one.
func (w *Web) activityPage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return err
	}
	return w.activityWith(c, p, id, http.StatusOK, func(*activityData) {})
}

// activityWith renders the activity page with status, after more has
// added what an action found (a refused move).
func (w *Web) activityWith(c echo.Context, p *page, id int64, status int, more func(*activityData)) error {
	ctx, a := c.Request().Context(), actor(c)
	view, err := w.Store.GetActivity(ctx, a, id)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return err
	}
	d := activityData{A: view, Zone: time.UTC}
	if loc, err := time.LoadLocation(view.TimeZone); err == nil {
		d.Zone = loc
	}
	now := w.now()
	f := models.ActivityFilter{ID: id, From: now.Add(-24 * time.Hour), To: now.AddDate(0, 11, 0)}
	f.Limit = 20
	occ, err := w.Store.ListOccurrences(ctx, a, models.OccurrenceFilter{ActivityFilter: f})
	if err != nil {
		return err
	}
	d.Occurrences = occ.Items
	if d.Conflicts, err = w.Store.ActivityConflicts(ctx, a, id); err != nil {
		return err
	}
	if d.History, err = w.Store.ActivityHistory(ctx, a, id, historyShown); err != nil {
		return err
	}
	if d.MayWrite, err = w.Store.CanWriteActivity(ctx, a, id); err != nil {
		return err
	}
	d.Recurring = view.RRule != "" || len(view.RDates) > 0
	if d.Children, err = w.Store.ListChildren(ctx, a, id); err != nil {
		return err
	}
	d.Move.Start = d.WallStart(view.Start)
	sums, err := w.Store.ReplySummaries(ctx, a, []int64{id})
	if err != nil {
		return err
	}
	if sum, ok := sums[id]; ok {
		d.Replies = &sum
	}
	more(&d)
	p.Title, p.Data, p.Status = view.Title, d, status
	return w.render(c, "activity", p)
}
