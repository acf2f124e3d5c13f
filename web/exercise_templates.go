package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// The exercise templates: everyone who may read lists and views them,
// administrators create, change and delete them (the store's
// CreateExerciseTemplate and siblings, which check the role again), and
// planners create an exercise from one on its page.

// maxEntryRows bounds the rows a template form may send: the store's
// bound and a few blank ones.
const maxEntryRows = models.MaxTemplateEntries + 5

// entryRow is one line of the entry editor as typed.
type entryRow struct {
	Kind, Title, Offset, Duration, Lead, Participants string
}

// blank reports whether nothing was typed in the row (a spare line).
func (r entryRow) blank() bool {
	return r.Title == "" && r.Offset == "" && r.Duration == "" && r.Lead == "" && r.Participants == ""
}

// templateForm is the template editor as filled in.
type templateForm struct {
	ID                                    int64
	Version                               int
	Name, Series, Kind, Description, Lead string
	Entries                               []entryRow
}

// templateFormData is the editor page's data.
type templateFormData struct {
	Form    *templateForm
	Errors  formErrors
	Kinds   []models.Kind
	Orgs    []option
	Action  string
	Stale   bool
	Problem string
}

// EntryField names the control of a column of entry row i ("e.3.title").
func (d *templateFormData) EntryField(i int, col string) string {
	return "e." + strconv.Itoa(i) + "." + col
}

// EntryKinds are the kinds an entry may have: every kind but an exercise.
func (d *templateFormData) EntryKinds() []models.Kind {
	var out []models.Kind
	for _, k := range d.Kinds {
		if k != models.KindExercise {
			out = append(out, k)
		}
	}
	return out
}

// templateFromView fills the editor with a stored template.
func templateFromView(t *models.ExerciseTemplate) *templateForm {
	f := &templateForm{ID: t.ID, Version: t.Version, Name: t.Name, Series: t.Series, Kind: t.Kind, Description: t.Description, Lead: t.LeadOrganization}
	for _, e := range t.Entries {
		f.Entries = append(f.Entries, entryRow{Kind: e.Kind, Title: e.Title, Offset: e.Offset, Duration: e.Duration, Lead: string(e.LeadOrganization), Participants: participantsLine(e.Participants)})
	}
	return f
}

// participantsLine writes an entry's default participants as the editor
// takes them: "person:a@b (lead), body:PSC".
func participantsLine(ps []models.ParticipantInput) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		s := p.Type + ":" + string(p.IDOrCode)
		if p.Role != "" {
			s += " (" + p.Role + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// readTemplateForm reads the posted editor.
func readTemplateForm(v url.Values) *templateForm {
	f := &templateForm{Name: strings.TrimSpace(v.Get("name")), Series: strings.TrimSpace(v.Get("series")), Kind: v.Get("kind"),
		Description: v.Get("description"), Lead: v.Get("lead_organization")}
	f.Version, _ = strconv.Atoi(v.Get("version"))
	for i := range maxEntryRows {
		prefix := "e." + strconv.Itoa(i) + "."
		if _, ok := v[prefix+"title"]; !ok {
			break
		}
		f.Entries = append(f.Entries, entryRow{Kind: v.Get(prefix + "kind"), Title: strings.TrimSpace(v.Get(prefix + "title")),
			Offset: strings.TrimSpace(v.Get(prefix + "offset")), Duration: strings.TrimSpace(v.Get(prefix + "duration")),
			Lead: v.Get(prefix + "lead"), Participants: strings.TrimSpace(v.Get(prefix + "participants"))})
	}
	return f
}

// shortPeriod reads the editor's shorthand for an offset or a duration:
// "-12 months", "+1 month", "3 days", "-2 weeks" (English or French),
// as an ISO 8601 duration; anything else is passed on as typed for the
// store to judge (it takes ISO 8601 itself: -P9M, PT4H).
var shortPeriod = regexp.MustCompile(`^([+-]?)\s*(\d{1,4})\s*(months?|mois|m|weeks?|semaines?|w|days?|jours?|d|j)$`)

// isoPeriod turns the shorthand into ISO 8601.
func isoPeriod(s string) string {
	m := shortPeriod.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return strings.ToUpper(strings.TrimSpace(s))
	}
	sign := ""
	if m[1] == "-" {
		sign = "-"
	}
	n, _ := strconv.Atoi(m[2])
	switch m[3][0] {
	case 'm':
		return fmt.Sprintf("%sP%dM", sign, n)
	case 'w', 's':
		return fmt.Sprintf("%sP%dD", sign, 7*n)
	}
	return fmt.Sprintf("%sP%dD", sign, n)
}

// input turns the editor into the store's input; rows left blank are
// spare lines, not entries. rows maps each entry to its row of the
// form, to mark the store's objections on the right line.
func (f *templateForm) input(k refKinds, t func(string, ...any) string) (in models.ExerciseTemplateInput, rows []int, errs formErrors) {
	errs = formErrors{}
	in = models.ExerciseTemplateInput{Name: f.Name, Series: f.Series, Kind: f.Kind, Description: f.Description, LeadOrganization: models.Ref(f.Lead), Entries: []models.TemplateEntry{}}
	for i, r := range f.Entries {
		if r.blank() {
			continue
		}
		e := models.TemplateEntry{Kind: r.Kind, Title: r.Title, Offset: isoPeriod(r.Offset), Duration: isoPeriod(r.Duration), LeadOrganization: models.Ref(r.Lead), Participants: []models.ParticipantInput{}}
		for _, item := range splitList(r.Participants) {
			ref, role := entryParticipant(item)
			typ, code, ok := k.participantRef(ref)
			if !ok {
				errs.add(fmt.Sprintf("e.%d.participants", i), t("templates.err.participant", item))
				continue
			}
			e.Participants = append(e.Participants, models.ParticipantInput{Type: typ, IDOrCode: code, Role: role})
		}
		in.Entries = append(in.Entries, e)
		rows = append(rows, i)
	}
	return in, rows, errs
}

// entryParticipant splits an entry's participant item, "PSC (audience)",
// into its reference and its role (empty when the item names none).
func entryParticipant(item string) (ref, role string) {
	if open := strings.LastIndex(item, "("); open > 0 && strings.HasSuffix(item, ")") {
		return strings.TrimSpace(item[:open]), strings.TrimSpace(item[open+1 : len(item)-1])
	}
	return item, ""
}

// participantRefs are the references the editor's entries name, for
// refKinds.
func (f *templateForm) participantRefs() []string {
	var refs []string
	for _, r := range f.Entries {
		for _, item := range splitList(r.Participants) {
			ref, _ := entryParticipant(item)
			refs = append(refs, ref)
		}
	}
	return refs
}

// entryFieldPattern is a store field of a template entry:
// entries[3].participants[0].id_or_code.
var entryFieldPattern = regexp.MustCompile(`^entries\[(\d+)\]\.([a-z_]+)`)

// templateErrors maps the store's objections onto the editor: an entry's
// field onto its row (through rows), the others onto their fields.
func templateErrors(p *page, err error, rows []int, errs formErrors) bool {
	var (
		ve *models.ValidationError
		de *models.DuplicateError
	)
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve.Errors {
			if m := entryFieldPattern.FindStringSubmatch(fe.Field); m != nil {
				n, _ := strconv.Atoi(m[1])
				row := n
				if n < len(rows) {
					row = rows[n]
				}
				col := m[2]
				if col == "lead_organization" {
					col = "lead"
				}
				errs.add(fmt.Sprintf("e.%d.%s", row, col), p.FieldMessage(fe))
				continue
			}
			errs.add(formFieldName(fe.Field), p.FieldMessage(fe))
		}
		return true
	case errors.As(err, &de):
		errs.add(formFieldName(de.Field), p.FieldMessage(de.FieldError()))
		return true
	}
	return false
}

// templatesPage lists the templates.
func (w *Web) templatesPage(c echo.Context) error {
	p, err := w.newPage(c, "templates", "")
	if err != nil {
		return err
	}
	list, err := w.Store.ListExerciseTemplates(c.Request().Context(), models.ExerciseTemplateFilter{ListOptions: listOpts(c)})
	if err != nil {
		return err
	}
	p.Title = p.T("templates.title")
	p.Data = struct {
		Items []models.ExerciseTemplate
		Next  string
	}{list.Items, nextLink("/templates", nil, list.NextCursor)}
	return w.render(c, "exercise_templates", p)
}

// loadTemplate resolves the :id of a template page.
func (w *Web) loadTemplate(c echo.Context) (*models.ExerciseTemplate, error) {
	id, ok := idParam(c)
	if !ok {
		return nil, models.ErrNotFound
	}
	return w.Store.GetExerciseTemplate(c.Request().Context(), models.Ref(strconv.FormatInt(id, 10)))
}

// templateEditor shows the editor of a new template (id 0) or a stored
// one; only administrators get it, as only they may save it.
func (w *Web) templateEditor(c echo.Context) error {
	p, err := w.newPage(c, "templates", "")
	if err != nil {
		return err
	}
	if err := actor(c).RequireAdmin(); err != nil {
		return w.fail(c, http.StatusForbidden, "templates.err.admin")
	}
	f := &templateForm{Kind: string(models.KindExercise)}
	if c.Param("id") != "" {
		t, err := w.loadTemplate(c)
		if errors.Is(err, models.ErrNotFound) {
			return w.fail(c, http.StatusNotFound, "templates.not_found")
		}
		if err != nil {
			return err
		}
		f = templateFromView(t)
	}
	return w.renderTemplateForm(c, p, f, formErrors{}, http.StatusOK, nil)
}

// renderTemplateForm writes the editor with spare rows to fill in.
func (w *Web) renderTemplateForm(c echo.Context, p *page, f *templateForm, errs formErrors, status int, more func(*templateFormData)) error {
	orgs, err := w.orgOptions(c.Request().Context(), "—")
	if err != nil {
		return err
	}
	if n := len(f.Entries); n == 0 || !f.Entries[n-1].blank() {
		f.Entries = append(f.Entries, entryRow{Kind: string(models.KindExercisePhase)})
	}
	d := &templateFormData{Form: f, Errors: errs, Kinds: models.Kinds(), Orgs: orgs, Action: "/templates/new"}
	p.Title = p.T("templates.new")
	if f.ID != 0 {
		d.Action = "/templates/" + strconv.FormatInt(f.ID, 10) + "/edit"
		p.Title = p.T("templates.edit", f.Name)
	}
	if more != nil {
		more(d)
	}
	p.Status, p.Data = status, d
	return w.render(c, "exercise_template_form", p)
}

// saveTemplate creates or changes a template from the editor, or adds or
// removes an entry row (the editor works without script: each is a
// submit that comes back with the form as typed, saving nothing).
func (w *Web) saveTemplate(c echo.Context) error {
	p, err := w.newPage(c, "templates", "")
	if err != nil {
		return err
	}
	vals, err := c.FormParams()
	if err != nil {
		return w.fail(c, http.StatusBadRequest, "booking.err.form")
	}
	f := readTemplateForm(vals)
	if c.Param("id") != "" {
		id, ok := idParam(c)
		if !ok {
			return w.fail(c, http.StatusNotFound, "templates.not_found")
		}
		f.ID = id
	}
	if err := actor(c).RequireAdmin(); err != nil {
		return w.fail(c, http.StatusForbidden, "templates.err.admin")
	}
	if vals.Get("add_row") != "" {
		f.Entries = append(f.Entries, entryRow{Kind: string(models.KindExercisePhase)})
		return w.renderTemplateForm(c, p, f, formErrors{}, http.StatusOK, nil)
	}
	if raw := vals.Get("remove_row"); raw != "" {
		if i, err := strconv.Atoi(raw); err == nil && i >= 0 && i < len(f.Entries) {
			f.Entries = append(f.Entries[:i], f.Entries[i+1:]...)
		}
		return w.renderTemplateForm(c, p, f, formErrors{}, http.StatusOK, nil)
	}
	k, err := w.refKinds(c, f.participantRefs())
	if err != nil {
		return err
	}
	in, rows, errs := f.input(k, p.T)
	if len(errs) > 0 {
		return w.renderTemplateForm(c, p, f, errs, http.StatusUnprocessableEntity, nil)
	}
	ctx, a := c.Request().Context(), actor(c)
	var saved *models.ExerciseTemplate
	if f.ID == 0 {
		saved, err = w.Store.CreateExerciseTemplate(ctx, a, in)
	} else {
		saved, err = w.Store.UpdateExerciseTemplate(ctx, a, f.ID, f.Version, in)
	}
	var ferr *models.ForbiddenError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/templates/"+strconv.FormatInt(saved.ID, 10))
	case templateErrors(p, err, rows, errs):
		return w.renderTemplateForm(c, p, f, errs, http.StatusUnprocessableEntity, nil)
	case errors.Is(err, models.ErrStale):
		cur, gerr := w.loadTemplate(c)
		if gerr != nil {
			return gerr
		}
		f.Version = cur.Version
		return w.renderTemplateForm(c, p, f, errs, http.StatusPreconditionFailed, func(d *templateFormData) { d.Stale = true })
	case errors.Is(err, models.ErrNotFound):
		return w.fail(c, http.StatusNotFound, "templates.not_found")
	case errors.As(err, &ferr):
		return w.fail(c, http.StatusForbidden, "templates.err.admin")
	}
	return err
}

// deleteTemplate confirms, then deletes a template; the exercises made
// from it stay.
func (w *Web) deleteTemplate(c echo.Context) error {
	if err := actor(c).RequireAdmin(); err != nil {
		return w.fail(c, http.StatusForbidden, "templates.err.admin")
	}
	t, err := w.loadTemplate(c)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "templates.not_found")
	}
	if err != nil {
		return err
	}
	if !confirmed(c) {
		p, err := w.newPage(c, "templates", "")
		if err != nil {
			return err
		}
		return w.confirm(c, "templates", confirmData{Question: p.T("templates.delete_question", t.Name), Detail: p.T("templates.delete_detail"),
			Action: c.Request().URL.Path, Button: p.T("templates.delete"), Back: "/templates/" + strconv.FormatInt(t.ID, 10), Danger: true})
	}
	if err := w.Store.DeleteExerciseTemplate(c.Request().Context(), actor(c), t.ID, 0); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return w.fail(c, http.StatusNotFound, "templates.not_found")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/templates")
}

// entryCell is one text cell of the entry editor.
type entryCell struct {
	Row                    int
	Col, Label, Value, Err string
}

// Cell prepares the text cell col of row i, labelled for screen readers
// ("Title of entry 3") and marked when refused.
func (d *templateFormData) Cell(p *page, i int, col, value string) entryCell {
	return entryCell{Row: i, Col: col, Label: p.T("templates.row_"+col, i+1), Value: value, Err: d.Errors.Msg(d.EntryField(i, col))}
}

// Participants writes an entry's default participants for reading.
func (p *page) Participants(ps []models.ParticipantInput) string { return participantsLine(ps) }

// KindOptions are kinds as select options, in the page's language.
func (p *page) KindOptions(kinds []models.Kind) []option {
	out := make([]option, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, option{Value: string(k), Label: p.Label("kind", string(k))})
	}
	return out
}
