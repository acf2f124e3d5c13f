package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// proposalForm is what a person typed into one proposal's forms, brought
// back with its messages when the store refused it.
type proposalForm struct {
	ID                   int64
	Reason, Start, End   string
	CounterReason        string
	Errors, CounterError formErrors
}

// proposalsData is the queue page's data.
type proposalsData struct {
	Awaiting, Leading []models.ProposalView
	// Notice says what the last action did; Refused is the store's
	// refusal of it (a 409: the proposal moved on meanwhile).
	Notice, Refused string
	Form            proposalForm
}

// For is the typed form of proposal id (empty unless it was refused).
func (d *proposalsData) For(id int64) proposalForm {
	if d.Form.ID == id {
		return d.Form
	}
	return proposalForm{ID: id}
}

// proposalsPage is the queue of open proposals awaiting the person's
// organisation, and those it leads that await others — the store's
// ListProposals, as GET /api/v1/proposals answers it.
func (w *Web) proposalsPage(c echo.Context) error {
	return w.renderProposals(c, &proposalsData{})
}

// renderProposals loads the queue into d and writes the page.
func (w *Web) renderProposals(c echo.Context, d *proposalsData) error {
	p, err := w.newPage(c, "proposals", "")
	if err != nil {
		return err
	}
	p.Title = p.T("proposals.title")
	ctx, a := c.Request().Context(), actor(c)
	opts := models.ListOptions{Limit: models.MaxLimit}
	if a.OrganizationID == 0 {
		// An administrator of no organisation sees every open proposal.
		all, err := w.Store.ListProposals(ctx, a, models.ProposalFilter{State: string(models.ProposalOpen), ListOptions: opts})
		if err != nil {
			return err
		}
		d.Awaiting = all.Items
	} else {
		org := models.Ref(strconv.FormatInt(a.OrganizationID, 10))
		waiting, err := w.Store.ListProposals(ctx, a, models.ProposalFilter{Awaiting: org, ListOptions: opts})
		if err != nil {
			return err
		}
		led, err := w.Store.ListProposals(ctx, a, models.ProposalFilter{Lead: org, State: string(models.ProposalOpen), ListOptions: opts})
		if err != nil {
			return err
		}
		// A counter-proposal can leave the lead awaited itself: show it
		// once, where it can be answered.
		d.Awaiting = waiting.Items
		for _, v := range led.Items {
			if !slices.ContainsFunc(d.Awaiting, func(w models.ProposalView) bool { return w.ActivityID == v.ActivityID }) {
				d.Leading = append(d.Leading, v)
			}
		}
	}
	switch {
	case d.Refused != "":
		p.Status = http.StatusConflict
	case d.Form.Errors.Any() || d.Form.CounterError.Any():
		p.Status = http.StatusUnprocessableEntity
	}
	p.Data = d
	return w.render(c, "proposals", p)
}

// answerProposal runs one answer (agree, decline, counter) and shows the
// queue with its outcome.
func (w *Web) answerProposal(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	p, err := w.newPage(c, "proposals", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	d := &proposalsData{Form: proposalForm{ID: id, Reason: c.FormValue("reason"), Start: c.FormValue("start"), End: c.FormValue("end"), CounterReason: c.FormValue("counter_reason")}}
	var (
		done   *models.ProposalView
		notice string
	)
	switch action := c.Param("action"); action {
	case "agree":
		done, err = w.Store.AgreeToProposal(ctx, a, id)
		notice = "proposals.agreed"
	case "decline":
		done, err = w.Store.DeclineProposal(ctx, a, id, d.Form.Reason)
		notice = "proposals.declined"
	case "counter":
		in := models.CounterProposal{Reason: d.Form.CounterReason}
		bad := formErrors{}
		if in.Start, err = parseFormTime(d.Form.Start, p.Zone); err != nil {
			bad["start"] = p.T("proposals.bad_time")
		}
		if in.End, err = parseFormTime(d.Form.End, p.Zone); err != nil {
			bad["end"] = p.T("proposals.bad_time")
		}
		if bad.Any() {
			d.Form.CounterError = bad
			return w.renderProposals(c, d)
		}
		done, err = w.Store.CounterPropose(ctx, a, id, in)
		notice = "proposals.countered"
	default:
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	refused, isRefusal := refusal(err)
	var forbidden *models.ForbiddenError
	switch {
	case err == nil:
		d.Form = proposalForm{}
		d.Notice = p.T(notice, done.Activity.Title)
	case errors.Is(err, models.ErrNotFound):
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	case errors.As(err, &forbidden):
		return w.fail(c, http.StatusForbidden, "proposals.not_yours")
	case isRefusal:
		d.Refused = refused
	default:
		fe, ok := w.storeFieldErrors(c, err)
		if !ok {
			return err
		}
		if c.Param("action") == "counter" {
			if r, ok := fe["reason"]; ok {
				delete(fe, "reason")
				fe["counter_reason"] = r
			}
			d.Form.CounterError = fe
		} else {
			d.Form.Errors = fe
		}
	}
	return w.renderProposals(c, d)
}

// proposalItem carries one proposal, the page and its typed form into
// the "proposal" template.
type proposalItem struct {
	P *page
	V models.ProposalView
	// Answer offers agree and decline (the queue awaiting us).
	Answer bool
	Form   proposalForm
}

// Item is proposal v with what the template needs beside it.
func (d *proposalsData) Item(p *page, v models.ProposalView, answer bool) proposalItem {
	return proposalItem{P: p, V: v, Answer: answer, Form: d.For(v.ActivityID)}
}

// Wall is t as a datetime-local value in the person's zone.
func (i proposalItem) Wall(t time.Time) string { return t.In(i.P.Zone).Format(wallLayout) }

// proposalField is a time input of the counter-proposal form.
type proposalField struct {
	P           *page
	ID          int64
	Name, Value string
	Errors      formErrors
}

// Field is the counter-proposal's input name with its value and message.
func (i proposalItem) Field(name, value string) proposalField {
	return proposalField{P: i.P, ID: i.V.ActivityID, Name: name, Value: value, Errors: i.Form.CounterError}
}
