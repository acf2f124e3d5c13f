package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// briefingRequestForm is the "request a cross-briefing" form as typed.
type briefingRequestForm struct {
	Briefer, Body, Topic, Area, From, To, Minutes string
	Errors                                        formErrors
}

// briefingsData is the briefing requests page's data.
type briefingsData struct {
	State    string
	States   []models.BriefingState
	Requests []models.BriefingRequestView
	Total    int64
	// SlotsFor is the request whose offered slots are shown (?slots=id),
	// with its Slots; the store computes them on demand only, for one
	// request at a time.
	SlotsFor int64
	Slots    []models.SpanView
	Notice   string
	Refused  string
	// Invalid marks a refusal as bad input (422) rather than a state
	// that moved on (409).
	Invalid bool
	// DeclineFor is the request whose decline form came back, with its
	// reason and message.
	DeclineFor    int64
	DeclineReason string
	DeclineError  string
	Form          briefingRequestForm
}

// Open reports whether a request may still be scheduled, declined or
// withdrawn.
func (d *briefingsData) Open(r models.BriefingRequestView) bool {
	return r.State == string(models.BriefingRequested) || r.State == string(models.BriefingOffered)
}

// briefingsPage lists the cross-briefing requests the person may see (the
// store's ListBriefingRequests, as the API answers it), by state.
func (w *Web) briefingsPage(c echo.Context) error {
	d := &briefingsData{Form: briefingRequestForm{Minutes: "60"}}
	if id, err := strconv.ParseInt(c.QueryParam("slots"), 10, 64); err == nil {
		d.SlotsFor = id
	}
	return w.renderBriefings(c, d)
}

// renderBriefings loads the list (and the slots asked for) into d and
// writes the page.
func (w *Web) renderBriefings(c echo.Context, d *briefingsData) error {
	p, err := w.newPage(c, "briefings", "")
	if err != nil {
		return err
	}
	p.Title = p.T("briefings.title")
	ctx, a := c.Request().Context(), actor(c)
	d.State, d.States = c.QueryParam("state"), models.BriefingStates()
	// The slots first: looking for them marks the request offered, which
	// the list then shows.
	if d.SlotsFor != 0 {
		var forbidden *models.ForbiddenError
		d.Slots, err = w.Store.BriefingSlots(ctx, a, d.SlotsFor)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return w.fail(c, http.StatusNotFound, "briefings.no_request")
		case errors.As(err, &forbidden):
			return w.fail(c, http.StatusForbidden, "briefings.not_host")
		case err != nil:
			var state *models.StateError
			if !errors.As(err, &state) {
				return err
			}
			d.Refused, d.SlotsFor = state.Detail, 0
		}
	}
	list, err := w.Store.ListBriefingRequests(ctx, a, models.BriefingFilter{State: d.State, ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if fe, ok := w.storeFieldErrors(c, err); ok && fe.Msg("state") != "" {
		return w.fail(c, http.StatusUnprocessableEntity, "briefings.bad_state")
	}
	if err != nil {
		return err
	}
	d.Requests, d.Total = list.Items, list.Total
	switch {
	case d.Refused != "" && !d.Invalid:
		p.Status = http.StatusConflict
	case d.Invalid || d.Form.Errors.Any() || d.DeclineError != "":
		p.Status = http.StatusUnprocessableEntity
	}
	p.Data = d
	return w.render(c, "briefings", p)
}

// requestBriefing records a new cross-briefing request from the form.
func (w *Web) requestBriefing(c echo.Context) error {
	p, err := w.newPage(c, "briefings", "")
	if err != nil {
		return err
	}
	f := briefingRequestForm{Briefer: c.FormValue("briefer"), Body: c.FormValue("body"), Topic: c.FormValue("topic"), Area: c.FormValue("area"),
		From: c.FormValue("from"), To: c.FormValue("to"), Minutes: c.FormValue("minutes"), Errors: formErrors{}}
	in := models.BriefingRequestInput{Briefer: models.Ref(f.Briefer), Body: models.Ref(f.Body), Topic: f.Topic, Area: f.Area}
	if in.From, err = parseFormTime(f.From, p.Zone); err != nil {
		f.Errors["from"] = p.T("briefings.bad_date")
	}
	if in.To, err = parseFormTime(f.To, p.Zone); err != nil {
		f.Errors["to"] = p.T("briefings.bad_date")
	}
	if n, err := strconv.Atoi(f.Minutes); err != nil || n <= 0 {
		f.Errors["minutes"] = p.T("briefings.bad_minutes")
	} else {
		in.Duration = fmt.Sprintf("PT%dM", n)
	}
	if f.Errors.Any() {
		return w.renderBriefings(c, &briefingsData{Form: f})
	}
	r, err := w.Store.RequestBriefing(c.Request().Context(), actor(c), in)
	var forbidden *models.ForbiddenError
	switch {
	case err == nil:
		return w.renderBriefings(c, &briefingsData{Notice: p.T("briefings.requested", r.Topic), Form: briefingRequestForm{Minutes: "60"}})
	case errors.As(err, &forbidden):
		return w.fail(c, http.StatusForbidden, "briefings.not_briefer")
	}
	fe, ok := w.storeFieldErrors(c, err)
	if !ok {
		return err
	}
	if m, ok := fe["duration"]; ok {
		delete(fe, "duration")
		fe["minutes"] = m
	}
	f.Errors = fe
	return w.renderBriefings(c, &briefingsData{Form: f})
}

// briefingStep schedules, declines or withdraws a request and shows the
// list with the outcome.
func (w *Web) briefingStep(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "briefings.no_request")
	}
	p, err := w.newPage(c, "briefings", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	d := &briefingsData{Form: briefingRequestForm{Minutes: "60"}}
	var r *models.BriefingRequestView
	switch c.Param("action") {
	case "schedule":
		start, perr := time.Parse(time.RFC3339, c.FormValue("start"))
		if perr != nil {
			return w.fail(c, http.StatusUnprocessableEntity, "briefings.bad_date")
		}
		r, err = w.Store.ScheduleBriefing(ctx, a, id, start)
	case "decline":
		d.DeclineFor, d.DeclineReason = id, c.FormValue("reason")
		r, err = w.Store.DeclineBriefing(ctx, a, id, d.DeclineReason)
	case "withdraw":
		r, err = w.Store.WithdrawBriefing(ctx, a, id)
	default:
		return w.fail(c, http.StatusNotFound, "briefings.no_request")
	}
	refused, isRefusal := refusal(err)
	var forbidden *models.ForbiddenError
	switch {
	case err == nil:
		d.DeclineFor, d.DeclineReason = 0, ""
		d.Notice = p.T(map[string]string{"schedule": "briefings.scheduled", "decline": "briefings.declined", "withdraw": "briefings.withdrawn"}[c.Param("action")], r.Topic)
	case errors.Is(err, models.ErrNotFound):
		return w.fail(c, http.StatusNotFound, "briefings.no_request")
	case errors.As(err, &forbidden):
		return w.fail(c, http.StatusForbidden, "briefings.not_allowed")
	case isRefusal:
		d.Refused = refused
	default:
		fe, ok := w.storeFieldErrors(c, err)
		if !ok {
			return err
		}
		if d.DeclineFor == 0 {
			d.Refused, d.Invalid = err.Error(), true
		} else {
			d.DeclineError = fe.Msg("reason")
			if d.DeclineError == "" {
				d.DeclineError = err.Error()
			}
		}
	}
	return w.renderBriefings(c, d)
}

// briefingField is one input of the request form with its message.
type briefingField struct {
	P                        *page
	Name, Type, Value, Error string
}

// Field is the request form's input name.
func (d *briefingsData) Field(p *page, name, typ, value string) briefingField {
	return briefingField{P: p, Name: name, Type: typ, Value: value, Error: d.Form.Errors.Msg(name)}
}
