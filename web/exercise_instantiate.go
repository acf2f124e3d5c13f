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

// instantiateForm is the "create an exercise from this template" form as
// typed.
type instantiateForm struct {
	Title, Start, End, TimeZone string
	Lead, Venue, Description    string
	Override                    bool
	OverrideReason              string
}

// templateData is a template's page: the template, and the form that
// creates an exercise from it with what the last attempt found.
type templateData struct {
	T      *models.ExerciseTemplate
	Form   instantiateForm
	Errors formErrors
	Orgs   []option
	Venues []option
	// Refused is the one conflict report of the whole set that the store
	// refused; Problem what else kept it from being created.
	Refused *models.CheckReport
	Problem string
}

// setReport carries a conflict report of a set and the page into the
// "set-report" template.
type setReport struct {
	P *page
	R *models.CheckReport
}

// Report prepares a set's conflict report for the "set-report" template.
func (p *page) Report(r *models.CheckReport) setReport { return setReport{P: p, R: r} }

// templatePage shows a template with its entries and, to those who may
// book, the form that creates an exercise from it.
func (w *Web) templatePage(c echo.Context) error {
	p, err := w.newPage(c, "templates", "")
	if err != nil {
		return err
	}
	t, err := w.loadTemplate(c)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "templates.not_found")
	}
	if err != nil {
		return err
	}
	f := instantiateForm{TimeZone: p.Zone.String(), Lead: t.LeadOrganization}
	if f.Lead == "" && p.Me != nil {
		f.Lead = p.Me.Organization
	}
	return w.renderTemplatePage(c, p, &templateData{T: t, Form: f, Errors: formErrors{}})
}

// renderTemplatePage loads the form's choices and writes the page.
func (w *Web) renderTemplatePage(c echo.Context, p *page, d *templateData) error {
	ctx := c.Request().Context()
	var err error
	if d.Orgs, err = w.orgOptions(ctx, ""); err != nil {
		return err
	}
	venues, err := w.Store.ListVenues(ctx, models.VenueFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return err
	}
	d.Venues = []option{{Value: "", Label: p.T("booking.no_venue")}}
	for _, v := range venues.Items {
		d.Venues = append(d.Venues, option{Value: v.Code, Label: v.Name})
	}
	switch {
	case d.Refused != nil:
		p.Status = http.StatusConflict
	case d.Errors.Any() || d.Problem != "":
		if p.Status == http.StatusOK {
			p.Status = http.StatusUnprocessableEntity
		}
	}
	p.Title, p.Data = d.T.Name, d
	return w.render(c, "exercise_template", p)
}

// instantiateTemplate creates an exercise and its children from a
// template through the store's InstantiateTemplate: all or nothing, with
// one conflict report for the whole set and the override (with a
// reason) offered when it is refused. Created, it opens the exercise's
// page, which lists the children.
func (w *Web) instantiateTemplate(c echo.Context) error {
	p, err := w.newPage(c, "templates", "")
	if err != nil {
		return err
	}
	t, err := w.loadTemplate(c)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "templates.not_found")
	}
	if err != nil {
		return err
	}
	f := instantiateForm{Title: strings.TrimSpace(c.FormValue("title")), Start: c.FormValue("start"), End: c.FormValue("end"),
		TimeZone: strings.TrimSpace(c.FormValue("timezone")), Lead: c.FormValue("lead_organization"), Venue: c.FormValue("venue"),
		Description: c.FormValue("description"), Override: c.FormValue("override") != "", OverrideReason: strings.TrimSpace(c.FormValue("override_reason"))}
	d := &templateData{T: t, Form: f, Errors: formErrors{}}
	in := models.ActivityInput{Title: f.Title, Description: f.Description, TimeZone: f.TimeZone, LeadOrganization: models.Ref(f.Lead),
		Venue: models.Ref(f.Venue), Participants: []models.ParticipantInput{}, Visibility: []models.Ref{}, Areas: []string{}, Reminders: []string{}}
	_, in.Start, in.End = readWhen(d.Errors, p.T, f.TimeZone, f.Start, f.End)
	if f.Override && f.OverrideReason == "" {
		d.Errors.add("override_reason", p.T("booking.err.reason"))
	}
	if d.Errors.Any() {
		return w.renderTemplatePage(c, p, d)
	}
	opts := storage.WriteOptions{}
	if f.Override {
		opts.OverrideReason = f.OverrideReason
	}
	res, err := w.Store.InstantiateTemplate(c.Request().Context(), actor(c), models.Ref(strconv.FormatInt(t.ID, 10)), in, opts)
	var (
		verr *models.ValidationError
		cerr *models.ConflictError
		ferr *models.ForbiddenError
	)
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/activities/"+strconv.FormatInt(res.Activity.ID, 10))
	case errors.As(err, &verr):
		// The form's own fields are marked; what the template brings
		// (its entries, its kind and series) is named above the form.
		var other []string
		for _, fe := range verr.Errors {
			switch name := storeField(fe.Field); name {
			case "title", "start", "end", "timezone", "lead_organization", "venue", "description":
				d.Errors.add(name, p.FieldMessage(fe))
			default:
				other = append(other, fe.Field+": "+p.FieldMessage(fe))
			}
		}
		if len(other) > 0 {
			d.Problem = p.T("templates.err.entries", strings.Join(other, "; "))
		}
	case errors.As(err, &cerr):
		d.Refused = &models.CheckReport{Conflicts: cerr.Conflicts, Warnings: cerr.Warnings}
	case errors.As(err, &ferr):
		d.Errors.add("lead_organization", p.T("booking.err.lead"))
		p.Status = http.StatusForbidden
	default:
		return err
	}
	return w.renderTemplatePage(c, p, d)
}

// lcField is one labelled control of the life-cycle forms (templates,
// exercises from templates, PACE pairs), marked when the store or the
// form refused its value.
type lcField struct {
	P                            *page
	ID, Name, Label, Value, Type string
	Hint                         string
	Options                      []option
	Errs                         formErrors
}

// Err is the field's message ("" when it is fine).
func (f lcField) Err() string { return f.Errs.Msg(f.Name) }

// Input is a text-like control (typ: "" for text, "datetime-local",
// "number", "textarea") named name, labelled with the catalogue key
// label; form prefixes its id so that two forms of a page differ.
func (p *page) Input(form string, errs formErrors, name, label, value, typ string) lcField {
	return lcField{P: p, ID: form + "-" + name, Name: name, Label: p.T(label), Value: value, Type: typ, Errs: errs}
}

// Select is a choice among opts.
func (p *page) Select(form string, errs formErrors, name, label, value string, opts []option) lcField {
	return lcField{P: p, ID: form + "-" + name, Name: name, Label: p.T(label), Value: value, Type: "select", Options: opts, Errs: errs}
}

// WithHint adds a hint (a catalogue key) under the control.
func (f lcField) WithHint(key string) lcField { f.Hint = f.P.T(key); return f }
