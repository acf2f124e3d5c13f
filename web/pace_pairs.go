package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// The PACE pairs: two exercises of two organisations run in parallel and
// coordinated for a year, one organisation leading. The page lists the
// pairs the person may see (the store leaves out a pair one of whose
// exercises they may not see), links two exercises, unlinks a pair and
// records a coordination meeting, each through the store's PACE pair
// functions (the API's).

// pairForm is the "link two exercises" form as typed.
type pairForm struct {
	Year, First, Second, Lead, Notes string
}

// meetingForm is a pair's "record a coordination meeting" form as typed.
type meetingForm struct {
	Pair                               int64
	Title, Start, End, TimeZone, Venue string
	Override                           bool
	OverrideReason                     string
}

// pairRow is a pair with what the page shows of its exercises.
type pairRow struct {
	models.PacePair
	// Leads are the organisations leading each exercise, by id.
	Leads map[int64]string
}

// pairYear is the pairs of one year.
type pairYear struct {
	Year  int
	Pairs []pairRow
}

// pairsData is the page's data.
type pairsData struct {
	Years     []pairYear
	Exercises []option
	Orgs      []option
	Venues    []option
	Form      pairForm
	Errors    formErrors
	// Meeting is the meeting form last posted (Pair 0: none), with its
	// errors and the set's conflict report when the store refused it.
	Meeting        meetingForm
	MeetingErrors  formErrors
	MeetingRefused *models.CheckReport
	MeetingProblem string
}

// MeetingFor is the meeting form of pair id: as typed when it was the
// one posted, else empty in the person's zone.
func (d *pairsData) MeetingFor(p *page, id int64) meetingForm {
	if d.Meeting.Pair == id {
		return d.Meeting
	}
	return meetingForm{Pair: id, TimeZone: p.Zone.String()}
}

// MeetingErrs are the errors of pair id's meeting form.
func (d *pairsData) MeetingErrs(id int64) formErrors {
	if d.Meeting.Pair == id {
		return d.MeetingErrors
	}
	return formErrors{}
}

// pacePairsPage lists the pairs by year, newest first, with the forms.
func (w *Web) pacePairsPage(c echo.Context) error {
	return w.renderPairs(c, &pairsData{Errors: formErrors{}, MeetingErrors: formErrors{}}, http.StatusOK)
}

// renderPairs loads the pairs and the forms' choices into d and writes
// the page.
func (w *Web) renderPairs(c echo.Context, d *pairsData, status int) error {
	p, err := w.newPage(c, "pace", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	pairs, err := models.AllPages(func(opts models.ListOptions) (models.Page[models.PacePair], error) {
		return w.Store.ListPacePairs(ctx, a, models.PacePairFilter{ListOptions: opts})
	})
	if err != nil {
		return err
	}
	// The latest exercises by start are those a planner pairs: the store
	// lists them first, so the bound leaves out the oldest.
	exercises, err := w.allActivities(c, models.ActivityFilter{Kind: string(models.KindExercise), LatestFirst: true}, maxPaceExercises)
	if err != nil {
		return err
	}
	if len(exercises) > maxPaceExercises {
		exercises = exercises[:maxPaceExercises]
	}
	lead := map[int64]string{}
	d.Exercises = []option{{Value: "", Label: "—"}}
	for _, x := range exercises {
		lead[x.ID] = x.LeadOrganization
		d.Exercises = append(d.Exercises, option{Value: strconv.FormatInt(x.ID, 10), Label: x.Title + " (" + x.LeadOrganization + ", " + strconv.Itoa(x.Start.In(p.Zone).Year()) + ")"})
	}
	byYear := map[int]*pairYear{}
	for _, pr := range pairs {
		y := byYear[pr.Year]
		if y == nil {
			y = &pairYear{Year: pr.Year}
			byYear[pr.Year] = y
		}
		row := pairRow{PacePair: pr, Leads: map[int64]string{}}
		for _, x := range pr.Exercises {
			row.Leads[x.ID] = lead[x.ID]
		}
		y.Pairs = append(y.Pairs, row)
	}
	for _, y := range byYear {
		d.Years = append(d.Years, *y)
	}
	sort.Slice(d.Years, func(i, j int) bool { return d.Years[i].Year > d.Years[j].Year })
	if d.Orgs, err = w.orgOptions(ctx, "—"); err != nil {
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
	if d.Form.Year == "" {
		d.Form.Year = strconv.Itoa(w.now().In(p.Zone).Year())
	}
	p.Title, p.Data, p.Status = p.T("pace.title"), d, status
	return w.render(c, "pace_pairs", p)
}

// createPacePair links two exercises as a pair for a year.
func (w *Web) createPacePair(c echo.Context) error {
	p, err := w.newPage(c, "pace", "")
	if err != nil {
		return err
	}
	f := pairForm{Year: strings.TrimSpace(c.FormValue("year")), First: c.FormValue("first"), Second: c.FormValue("second"), Lead: c.FormValue("lead_organization"), Notes: c.FormValue("notes")}
	d := &pairsData{Form: f, Errors: formErrors{}, MeetingErrors: formErrors{}}
	in := models.PacePairInput{LeadOrganization: models.Ref(f.Lead), Notes: f.Notes}
	if y, err := strconv.Atoi(f.Year); err != nil {
		d.Errors.add("year", p.T("pace.err.year"))
	} else {
		in.Year = y
	}
	for name, s := range map[string]string{"first": f.First, "second": f.Second} {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			d.Errors.add(name, p.T("pace.err.exercise"))
			continue
		}
		if name == "first" {
			in.Exercises = append([]int64{id}, in.Exercises...)
		} else {
			in.Exercises = append(in.Exercises, id)
		}
	}
	if d.Errors.Any() {
		return w.renderPairs(c, d, http.StatusUnprocessableEntity)
	}
	_, err = w.Store.CreatePacePair(c.Request().Context(), actor(c), in)
	var (
		verr *models.ValidationError
		derr *models.DuplicateError
		ferr *models.ForbiddenError
	)
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/pace-pairs")
	case errors.As(err, &verr):
		for _, fe := range verr.Errors {
			switch fe.Field {
			case "exercises", "exercises[0]":
				d.Errors.add("first", p.FieldMessage(fe))
			case "exercises[1]":
				d.Errors.add("second", p.FieldMessage(fe))
			default:
				d.Errors.add(formFieldName(fe.Field), p.FieldMessage(fe))
			}
		}
		return w.renderPairs(c, d, http.StatusUnprocessableEntity)
	case errors.As(err, &derr):
		d.Errors.add("first", p.T("pace.err.duplicate"))
		return w.renderPairs(c, d, http.StatusUnprocessableEntity)
	case errors.As(err, &ferr):
		d.Errors.add("first", p.T("pace.err.forbidden"))
		return w.renderPairs(c, d, http.StatusForbidden)
	}
	return err
}

// pairParam resolves the :id of a pair the person may see.
func (w *Web) pairParam(c echo.Context) (*models.PacePair, error) {
	id, ok := idParam(c)
	if !ok {
		return nil, models.ErrNotFound
	}
	return w.Store.GetPacePair(c.Request().Context(), actor(c), id)
}

// deletePacePair confirms, then unlinks a pair; its exercises and
// meetings stay.
func (w *Web) deletePacePair(c echo.Context) error {
	pr, err := w.pairParam(c)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "pace.not_found")
	}
	if err != nil {
		return err
	}
	if !confirmed(c) {
		p, err := w.newPage(c, "pace", "")
		if err != nil {
			return err
		}
		return w.confirm(c, "pace", confirmData{Question: p.T("pace.delete_question", pr.Exercises[0].Title, pr.Exercises[1].Title, pr.Year),
			Detail: p.T("pace.delete_detail"), Action: c.Request().URL.Path, Button: p.T("pace.delete"), Back: "/pace-pairs", Danger: true})
	}
	err = w.Store.DeletePacePair(c.Request().Context(), actor(c), pr.ID, 0)
	var ferr *models.ForbiddenError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/pace-pairs")
	case errors.Is(err, models.ErrNotFound):
		return w.fail(c, http.StatusNotFound, "pace.not_found")
	case errors.As(err, &ferr):
		return w.fail(c, http.StatusForbidden, "pace.err.forbidden")
	}
	return err
}

// addPairMeeting records a coordination meeting of a pair: an activity
// booked (and checked for conflicts) like any other and linked to the
// pair in the same transaction, through the store's AddPacePairMeeting.
func (w *Web) addPairMeeting(c echo.Context) error {
	p, err := w.newPage(c, "pace", "")
	if err != nil {
		return err
	}
	pr, err := w.pairParam(c)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "pace.not_found")
	}
	if err != nil {
		return err
	}
	f := meetingForm{Pair: pr.ID, Title: strings.TrimSpace(c.FormValue("title")), Start: c.FormValue("start"), End: c.FormValue("end"),
		TimeZone: strings.TrimSpace(c.FormValue("timezone")), Venue: c.FormValue("venue"),
		Override: c.FormValue("override") != "", OverrideReason: strings.TrimSpace(c.FormValue("override_reason"))}
	d := &pairsData{Errors: formErrors{}, Meeting: f, MeetingErrors: formErrors{}}
	in := models.ActivityInput{Kind: string(models.KindMeeting), Title: f.Title, TimeZone: f.TimeZone, Venue: models.Ref(f.Venue),
		LeadOrganization: models.Ref(pr.LeadOrganization), Status: string(models.StatusConfirmed),
		Participants: []models.ParticipantInput{}, Visibility: []models.Ref{}, Areas: []string{}, Reminders: []string{}}
	_, in.Start, in.End = readWhen(d.MeetingErrors, p.T, f.TimeZone, f.Start, f.End)
	if f.Override && f.OverrideReason == "" {
		d.MeetingErrors.add("override_reason", p.T("booking.err.reason"))
	}
	if d.MeetingErrors.Any() {
		return w.renderPairs(c, d, http.StatusUnprocessableEntity)
	}
	if in.LeadOrganization, err = w.Store.PacePairMeetingLead(c.Request().Context(), actor(c), pr.ID); err != nil {
		return err
	}
	opts := storage.WriteOptions{}
	if f.Override {
		opts.OverrideReason = f.OverrideReason
	}
	_, err = w.Store.AddPacePairMeeting(c.Request().Context(), actor(c), pr.ID, in, opts)
	var (
		verr *models.ValidationError
		cerr *models.ConflictError
		ferr *models.ForbiddenError
	)
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/pace-pairs#pair-"+strconv.FormatInt(pr.ID, 10))
	case errors.As(err, &verr):
		var other []string
		for _, fe := range verr.Errors {
			switch name := storeField(fe.Field); name {
			case "title", "start", "end", "timezone", "venue":
				d.MeetingErrors.add(name, p.FieldMessage(fe))
			default:
				other = append(other, fe.Field+": "+p.FieldMessage(fe))
			}
		}
		d.MeetingProblem = strings.Join(other, "; ")
		return w.renderPairs(c, d, http.StatusUnprocessableEntity)
	case errors.As(err, &cerr):
		d.MeetingRefused = &models.CheckReport{Conflicts: cerr.Conflicts, Warnings: cerr.Warnings}
		return w.renderPairs(c, d, http.StatusConflict)
	case errors.As(err, &ferr):
		d.MeetingProblem = p.T("pace.err.forbidden")
		return w.renderPairs(c, d, http.StatusForbidden)
	case errors.Is(err, models.ErrNotFound):
		return w.fail(c, http.StatusNotFound, "pace.not_found")
	}
	return err
}

// paceMarks describes, by exercise id, the PACE pairs the person may see
// (the programme marks their members as overlapping on purpose).
func (w *Web) paceMarks(c echo.Context, p *page) (map[int64][]string, error) {
	pairs, err := models.AllPages(func(opts models.ListOptions) (models.Page[models.PacePair], error) {
		return w.Store.ListPacePairs(c.Request().Context(), actor(c), models.PacePairFilter{ListOptions: opts})
	})
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, pr := range pairs {
		for i, x := range pr.Exercises {
			partner := pr.Exercises[1-i]
			out[x.ID] = append(out[x.ID], p.T("programme.pace_with", partner.Title, pr.Year, pr.LeadOrganization))
		}
	}
	return out, nil
}

// maxPaceExercises bounds the exercises the PACE pairs page offers, as
// views were bounded before the calendar's own bound was lowered: it is
// not the calendar's (a page of pairs is not a calendar view). A variable
// so that a test may lower it rather than create thousands.
var maxPaceExercises = 2000
