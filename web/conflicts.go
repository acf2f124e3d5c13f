package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// conflictsFilter is the agenda's filter, kept in its URL, with After,
// the cursor of the page shown ("" for the first).
type conflictsFilter struct {
	From, To, Severity, Rule, Organization string
	HideAccepted                           bool
	After                                  string
}

// agendaPageSize is how many clashes the agenda page shows before it
// offers the later ones: a busy quarter holds thousands, and what a
// planner reads first is the nearest. It is one page of the store's
// agenda, which leaves out the accepted clashes itself when they are
// hidden (ConflictFilter.HideAccepted).
const agendaPageSize = 100

func readConflictsFilter(q url.Values, today time.Time) conflictsFilter {
	f := conflictsFilter{From: q.Get("from"), To: q.Get("to"), Severity: q.Get("severity"), Rule: q.Get("rule"), Organization: q.Get("organization"), HideAccepted: q.Get("accepted") == "hide",
		After: q.Get("after")}
	if f.From == "" {
		f.From = today.Format(time.DateOnly)
	}
	if f.To == "" {
		f.To = today.AddDate(0, 3, 0).Format(time.DateOnly)
	}
	return f
}

// query writes the filter back as URL parameters (the accept form
// returns to the same agenda).
func (f conflictsFilter) query() string {
	q := url.Values{"from": {f.From}, "to": {f.To}}
	for k, v := range map[string]string{"severity": f.Severity, "rule": f.Rule, "organization": f.Organization} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.HideAccepted {
		q.Set("accepted", "hide")
	}
	if f.After != "" {
		q.Set("after", f.After)
	}
	return q.Encode()
}

// conflictItem is one clash of the agenda with its acceptance, if any.
type conflictItem struct {
	models.ListedConflict
	Key       models.ConflictKey
	Accepted  *models.AcceptedConflict
	Note      string
	NoteError string
}

// Anchor is the clash's id in the page (the accept form's target).
func (i conflictItem) Anchor() string {
	return fmt.Sprintf("clash-%d-%d-%s-%d", i.Key.ActivityID, i.Key.OtherID, i.Key.Rule, i.Key.Occurrence.Unix())
}

// conflictWeek groups the clashes whose overlap starts in one week.
type conflictWeek struct {
	Monday time.Time
	Items  []conflictItem
}

// conflictsData is the agenda page's data.
type conflictsData struct {
	Filter     conflictsFilter
	Query      string
	Rules      []string
	Options    filterOptions
	FieldError map[string]string
	Weeks      []conflictWeek
	Total      int
	Accepted   int
	// NextQuery is the query of the page of later clashes ("" on the
	// last page), typed as a URL so that the template writes it as it is.
	NextQuery template.URL
	// BadAfter says the link's cursor was refused and the window is shown
	// from its start.
	BadAfter bool
	// Through is how far the page looked when later clashes may follow.
	Through time.Time
}

// conflictsPage is the deconfliction agenda: the clashes among the
// activities the person may see in a window (the store's agenda, as the
// API answers it), nearest first, once each, grouped by week, with both
// sides — the other side "busy (restricted)" when the person may not see
// it — and what to do about it; agendaPageSize at a time, with a link to
// the later ones.
func (w *Web) conflictsPage(c echo.Context) error {
	p, err := w.newPage(c, "conflicts", "")
	if err != nil {
		return err
	}
	p.Title = p.T("conflicts.title")
	d, err := w.conflictsData(c, p, c.QueryParams(), nil)
	if err != nil {
		return w.agendaFailure(c, err)
	}
	p.Data = d
	return w.render(c, "conflicts", p)
}

// agendaFailure answers a page whose conflicts agenda could not be
// computed: when every computation slot stayed taken
// (models.ErrAgendaBusy), a page in the person's language asking them to
// try again, 503 with Retry-After; anything else as the error it is.
func (w *Web) agendaFailure(c echo.Context, err error) error {
	if errors.Is(err, models.ErrAgendaBusy) {
		c.Response().Header().Set("Retry-After", "5")
		return w.fail(c, http.StatusServiceUnavailable, "conflicts.busy")
	}
	return err
}

// acceptConflict records that a clash may stand and returns to the
// agenda; a missing note brings the agenda back with the note marked.
func (w *Web) acceptConflict(c echo.Context) error {
	p, err := w.newPage(c, "conflicts", "")
	if err != nil {
		return err
	}
	p.Title = p.T("conflicts.title")
	back, _ := url.ParseQuery(c.FormValue("back"))
	k := models.ConflictKey{Rule: c.FormValue("rule")}
	k.ActivityID, _ = strconv.ParseInt(c.FormValue("activity_id"), 10, 64)
	k.OtherID, _ = strconv.ParseInt(c.FormValue("other_id"), 10, 64)
	if s, err := strconv.ParseInt(c.FormValue("occurrence"), 10, 64); err == nil {
		k.Occurrence = time.Unix(s, 0).UTC()
	}
	note := c.FormValue("note")
	_, err = w.Store.AcceptConflict(c.Request().Context(), actor(c), k, note)
	var verr *models.ValidationError
	var forbidden *models.ForbiddenError
	var dup *models.DuplicateError
	switch {
	case err == nil, errors.As(err, &dup):
		target := "/conflicts"
		if len(back) > 0 {
			target += "?" + back.Encode()
		}
		return c.Redirect(http.StatusSeeOther, target)
	case errors.Is(err, models.ErrNotFound):
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	case errors.As(err, &forbidden):
		return w.fail(c, http.StatusForbidden, "conflicts.not_yours")
	case errors.As(err, &verr):
		msg := p.FieldMessage(verr.Errors[0])
		for _, fe := range verr.Errors {
			if fe.Field == "note" {
				msg = p.T("conflicts.note_required")
			}
		}
		d, err := w.conflictsData(c, p, back, &noteError{key: k, note: note, message: msg})
		if err != nil {
			return w.agendaFailure(c, err)
		}
		p.Data, p.Status = d, http.StatusUnprocessableEntity
		return w.render(c, "conflicts", p)
	}
	return err
}

// noteError is a refused acceptance, shown on its clash.
type noteError struct {
	key           models.ConflictKey
	note, message string
}

// conflictsData loads the agenda for the filter in q.
func (w *Web) conflictsData(c echo.Context, p *page, q url.Values, ne *noteError) (*conflictsData, error) {
	ctx, a := c.Request().Context(), actor(c)
	d := &conflictsData{Filter: readConflictsFilter(q, w.now().In(p.Zone)), Rules: models.ConflictRules(), FieldError: map[string]string{}}
	d.Query = d.Filter.query()
	// The agenda filters by organisation only: bodies and venues (two
	// pages and more at 100,000 activities) are not read.
	var err error
	if d.Options.Organizations, err = models.AllPages(func(opts models.ListOptions) (models.Page[models.Organization], error) {
		return w.Store.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: opts})
	}); err != nil {
		return nil, err
	}
	from, ferr := time.ParseInLocation(time.DateOnly, d.Filter.From, p.Zone)
	to, terr := time.ParseInLocation(time.DateOnly, d.Filter.To, p.Zone)
	if ferr != nil {
		d.FieldError["from"] = p.T("availability.bad_date")
	}
	if terr != nil {
		d.FieldError["to"] = p.T("availability.bad_date")
	}
	if d.Filter.Rule != "" && !contains(d.Rules, d.Filter.Rule) {
		d.FieldError["rule"] = p.T("conflicts.bad_rule")
	}
	if len(d.FieldError) > 0 {
		p.Status = http.StatusUnprocessableEntity
		return d, nil
	}
	cf := models.ConflictFilter{From: from, To: to.AddDate(0, 0, 1), Organization: models.Ref(d.Filter.Organization), Severity: d.Filter.Severity, Rule: d.Filter.Rule,
		HideAccepted: d.Filter.HideAccepted}
	page, err := w.Store.ListConflictsPage(ctx, a, cf, models.ListOptions{Limit: agendaPageSize, Cursor: d.Filter.After})
	var verr *models.ValidationError
	if errors.As(err, &verr) && d.Filter.After != "" && verr.Errors[0].Field == "cursor" {
		// A link to later clashes that this service did not make (cut
		// short, or edited): say so and show the window from its start.
		d.BadAfter, d.Filter.After = true, ""
		d.Query = d.Filter.query()
		page, err = w.Store.ListConflictsPage(ctx, a, cf, models.ListOptions{Limit: agendaPageSize})
	}
	if errors.As(err, &verr) {
		for _, fe := range verr.Errors {
			d.FieldError[fe.Field] = p.FieldMessage(fe)
		}
		p.Status = http.StatusUnprocessableEntity
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	if err := w.fileClashes(ctx, p, d, page.Items, ne); err != nil {
		return nil, err
	}
	// A page short of its size with a next one spent its span: what the
	// filters match is sparse; Through says how far it looked, and the
	// link goes on from there.
	d.Through = page.Through
	if page.NextCursor != "" {
		next := d.Filter
		next.After = page.NextCursor
		d.NextQuery = template.URL(next.query()) // url.Values.Encode: escaped already
	}
	return d, nil
}

// fileClashes adds a page of the store's agenda to the page's weeks,
// with their acceptances (none when the store hid the accepted ones).
func (w *Web) fileClashes(ctx context.Context, p *page, d *conflictsData, list []models.ListedConflict, ne *noteError) error {
	keys := make([]models.ConflictKey, len(list))
	for i, l := range list {
		keys[i] = l.Key()
	}
	marks := map[models.ConflictKey]models.AcceptedConflict{}
	if !d.Filter.HideAccepted { // the store left the accepted ones out
		var err error
		if marks, err = w.Store.AcceptedConflicts(ctx, keys); err != nil {
			return err
		}
	}
	for i, l := range list {
		item := conflictItem{ListedConflict: l, Key: keys[i]}
		if m, ok := marks[keys[i]]; ok {
			item.Accepted = &m
			d.Accepted++
		}
		if ne != nil && ne.key == keys[i] {
			item.Note, item.NoteError = ne.note, ne.message
		}
		start := l.Overlap.Start.In(p.Zone)
		monday := time.Date(start.Year(), start.Month(), start.Day()-(int(start.Weekday())+6)%7, 0, 0, 0, 0, p.Zone)
		if n := len(d.Weeks); n == 0 || !d.Weeks[n-1].Monday.Equal(monday) {
			d.Weeks = append(d.Weeks, conflictWeek{Monday: monday})
		}
		d.Weeks[len(d.Weeks)-1].Items = append(d.Weeks[len(d.Weeks)-1].Items, item)
		d.Total++
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Severities are the severity filter's choices.
func (d *conflictsData) Severities() []string { return []string{"hard", "soft"} }

// DateField is a date input of the filter with its error.
func (d *conflictsData) DateField(p *page, name string) avField {
	f := avField{P: p, Name: name, Type: "date", Value: d.Filter.From, Error: d.FieldError[name]}
	if name == "to" {
		f.Value = d.Filter.To
	}
	return f
}
