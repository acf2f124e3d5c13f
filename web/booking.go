package web

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/jointcal/jointcal/storage"
	"github.com/labstack/echo/v4"
)

// bookingData is the booking form's data: the form as filled in, its
// field errors, the choices, and what the last attempt to save found.
type bookingData struct {
	Form    *activityForm
	Errors  formErrors
	Options filterOptions
	Zones   []string
	Action  string
	// Refused is the report of a save stopped by hard conflicts.
	Refused *models.CheckReport
	// Stale lists what changed since the person opened the form.
	Stale []staleField
	Rule  ruleData
	Check *checkData
}

// staleField is a field someone else changed meanwhile: the person's
// value beside the current one.
type staleField struct{ Label, Yours, Current string }

// Attrs marks an invalid control for assistive technology.
func (d *bookingData) Attrs(field string) template.HTMLAttr {
	if _, ok := d.Errors[field]; !ok {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + errID(field) + `"`)
}

// Err is the message next to an invalid control.
func (d *bookingData) Err(field string) template.HTML {
	msg, ok := d.Errors[field]
	if !ok {
		return ""
	}
	return template.HTML(`<p id="` + errID(field) + `" class="error">` + html.EscapeString(msg) + `</p>`)
}

// Invalid is the class of a field's wrapper.
func (d *bookingData) Invalid(field string) string {
	if _, ok := d.Errors[field]; ok {
		return "invalid"
	}
	return ""
}

func errID(field string) string { return "err-" + strings.ReplaceAll(field, ".", "-") }

// ruleData is the recurrence builder's preview: the rule in words and
// its next occurrences.
type ruleData struct {
	Words string
	Next  []time.Time
	Error string
}

// checkData is the live conflict check's answer.
type checkData struct {
	Report   models.CheckReport
	Problems []string
	Slot     *models.SpanView
	// SlotStart and SlotEnd are the free slot as the form's fields take it.
	SlotStart, SlotEnd string
	Checked            bool
}

// newActivityPage is the empty booking form, filled from the query as
// other pages link to it (availability, conflicts).
func (w *Web) newActivityPage(c echo.Context) error {
	p, err := w.newPage(c, "book", "")
	if err != nil {
		return err
	}
	if !p.IsPlanner() {
		return w.fail(c, http.StatusForbidden, "booking.err.may_not_book")
	}
	q := c.QueryParams()
	k, err := w.refKinds(c, prefillRefs(q))
	if err != nil {
		return err
	}
	f := w.prefill(q, p, k)
	return w.bookingForm(c, p, f, formErrors{}, http.StatusOK, func(d *bookingData) {})
}

// prefill reads the contract's query parameters: title, kind, start and
// end (RFC 3339 or a wall time in the person's zone), timezone, venue,
// participants (comma-separated references) and lead.
func (w *Web) prefill(q url.Values, p *page, k refKinds) *activityForm {
	f := &activityForm{Kind: q.Get("kind"), Title: q.Get("title"), TimeZone: q.Get("timezone"), Venue: q.Get("venue"), Lead: q.Get("lead"), Status: string(models.StatusConfirmed), Format: string(models.FormatInPerson)}
	if f.Kind == "" {
		f.Kind = string(models.KindMeeting)
	}
	if f.Lead == "" && p.Me != nil {
		f.Lead = p.Me.Organization
	}
	loc := p.Zone
	if f.TimeZone == "" {
		f.TimeZone = p.Zone.String()
	} else if l, err := time.LoadLocation(f.TimeZone); err == nil {
		loc = l
	}
	for field, dst := range map[string]*string{"start": &f.Start, "end": &f.End} {
		if t, err := parseFormTime(q.Get(field), p.Zone); err == nil {
			*dst = t.In(loc).Format(wallLayout)
		}
	}
	for _, ref := range prefillRefs(q) {
		if typ, code, ok := k.participantRef(ref); ok {
			ref = typ + ":" + string(code)
		}
		f.Participants = append(f.Participants, participantRow{Ref: ref, Role: string(models.RoleParticipant), Required: true})
	}
	return f
}

// editActivityPage is the form of an activity the person may change; one
// they may not see is not found, one they may only see is forbidden.
func (w *Web) editActivityPage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	p, err := w.newPage(c, "calendar", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	v, err := w.Store.GetActivity(ctx, a, id)
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return err
	}
	ok, err := w.Store.CanWriteActivity(ctx, a, id)
	if err != nil {
		return err
	}
	if !ok {
		return w.fail(c, http.StatusForbidden, "booking.err.may_not_change")
	}
	return w.bookingForm(c, p, formFromView(v), formErrors{}, http.StatusOK, func(d *bookingData) {})
}

// saveActivity books or changes an activity from the form. Bad input
// comes back marked, a hard conflict comes back listed with the override
// offered, a stale edit comes back with what changed; nothing is written
// in any of these cases.
func (w *Web) saveActivity(c echo.Context) error {
	p, err := w.newPage(c, "book", "")
	if err != nil {
		return err
	}
	id := int64(0)
	if raw := c.Param("id"); raw != "" {
		if id, err = strconv.ParseInt(raw, 10, 64); err != nil || id <= 0 {
			return w.fail(c, http.StatusNotFound, "error.no_activity")
		}
		p.Nav = "calendar"
		// An activity the person may not see is not found, before
		// anything about the form is said.
		if _, err := w.Store.GetActivity(c.Request().Context(), actor(c), id); errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
			return w.fail(c, http.StatusNotFound, "error.no_activity")
		} else if err != nil {
			return err
		}
	}
	vals, err := c.FormParams()
	if err != nil {
		return w.fail(c, http.StatusBadRequest, "booking.err.form")
	}
	f := readForm(vals)
	f.ID = id
	if vals.Get("add_row") != "" {
		f.withBlankRows(1)
		return w.bookingForm(c, p, f, formErrors{}, http.StatusOK, func(d *bookingData) {})
	}
	k, err := w.refKinds(c, f.participantRefs())
	if err != nil {
		return err
	}
	in, errs := f.input(k, p.T)
	if f.Override && f.OverrideReason == "" {
		errs.add("override_reason", p.T("booking.err.reason"))
	}
	if len(errs) > 0 {
		return w.bookingForm(c, p, f, errs, http.StatusUnprocessableEntity, func(d *bookingData) {})
	}
	ctx, a := c.Request().Context(), actor(c)
	opts := storage.WriteOptions{IfVersion: f.Version}
	if f.Override {
		opts.OverrideReason = f.OverrideReason
	}
	var res *models.WriteResult
	if id == 0 {
		res, err = w.Store.CreateActivity(ctx, a, in, opts)
	} else {
		res, err = w.Store.UpdateActivity(ctx, a, id, in, opts)
	}
	var verr *models.ValidationError
	var cerr *models.ConflictError
	var ferr *models.ForbiddenError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/activities/"+strconv.FormatInt(res.Activity.ID, 10))
	case errors.As(err, &verr):
		for _, fe := range verr.Errors {
			errs.add(storeField(fe.Field), p.FieldMessage(fe))
		}
		return w.bookingForm(c, p, f, errs, http.StatusUnprocessableEntity, func(d *bookingData) {})
	case errors.As(err, &cerr):
		return w.bookingForm(c, p, f, errs, http.StatusConflict, func(d *bookingData) {
			d.Refused = &models.CheckReport{Conflicts: cerr.Conflicts, Warnings: cerr.Warnings}
		})
	case errors.Is(err, models.ErrStale):
		return w.staleForm(c, p, f)
	case errors.As(err, &ferr):
		errs.add("lead_organization", p.T("booking.err.lead"))
		return w.bookingForm(c, p, f, errs, http.StatusForbidden, func(d *bookingData) {})
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrGone):
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	return err
}

// staleForm answers an edit of a version that is no longer current: the
// fields someone changed meanwhile, theirs beside the person's, and the
// form ready to apply the person's values over the current version.
func (w *Web) staleForm(c echo.Context, p *page, f *activityForm) error {
	cur, err := w.Store.GetActivity(c.Request().Context(), actor(c), f.ID)
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return err
	}
	now := formFromView(cur)
	loc, _ := time.LoadLocation(cur.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	yoursRule, _ := f.rule(loc)
	curRule, _ := now.rule(loc)
	pairs := []struct{ key, yours, current string }{
		{"field.kind", p.Label("kind", f.Kind), p.Label("kind", now.Kind)},
		{"booking.title", f.Title, now.Title},
		{"activity.description", f.Description, now.Description},
		{"booking.start", f.Start, now.Start},
		{"booking.end", f.End, now.End},
		{"booking.timezone", f.TimeZone, now.TimeZone},
		{"booking.all_day", strconv.FormatBool(f.AllDay), strconv.FormatBool(now.AllDay)},
		{"booking.status", p.Label("status", f.Status), p.Label("status", now.Status)},
		{"booking.format", f.Format, now.Format},
		{"field.venue", f.Venue, now.Venue},
		{"booking.lead", f.Lead, now.Lead},
		{"activity.participants", participantsText(f.Participants), participantsText(now.Participants)},
		{"activity.visibility", strings.Join(f.Visibility, ", "), strings.Join(now.Visibility, ", ")},
		{"field.area", normaliseList(f.Areas), normaliseList(now.Areas)},
		{"field.series", f.Series, now.Series},
		{"activity.parent", f.Parent, now.Parent},
		{"booking.reminders", normaliseList(f.Reminders), normaliseList(now.Reminders)},
		{"activity.conference", f.ConferenceURL, now.ConferenceURL},
		{"booking.repeats", yoursRule.RRule(loc), curRule.RRule(loc)},
	}
	var changed []staleField
	for _, pr := range pairs {
		if pr.yours != pr.current {
			changed = append(changed, staleField{Label: p.T(pr.key), Yours: pr.yours, Current: pr.current})
		}
	}
	f.Version = cur.Version
	return w.bookingForm(c, p, f, formErrors{}, http.StatusPreconditionFailed, func(d *bookingData) {
		d.Stale = changed
		if len(changed) == 0 {
			d.Stale = []staleField{}
		}
	})
}

func participantsText(rows []participantRow) string {
	var out []string
	for _, r := range rows {
		if r.Ref == "" {
			continue
		}
		s := r.Ref + " (" + r.Role
		if r.Required {
			s += ", required"
		}
		out = append(out, s+")")
	}
	return strings.Join(out, "; ")
}

func normaliseList(s string) string {
	return strings.Join(durationList.Split(strings.TrimSpace(s), -1), ", ")
}

// bookingForm renders the form with its choices, the rule preview and
// the conflict check of what is in it.
func (w *Web) bookingForm(c echo.Context, p *page, f *activityForm, errs formErrors, status int, more func(*bookingData)) error {
	opts, err := w.filterOptions(c)
	if err != nil {
		return err
	}
	if len(f.Participants) == 0 || f.Participants[len(f.Participants)-1].Ref != "" {
		f.withBlankRows(blankRows)
	}
	d := &bookingData{Form: f, Errors: errs, Options: opts, Action: "/activities/new"}
	if f.ID != 0 {
		d.Action = "/activities/" + strconv.FormatInt(f.ID, 10) + "/edit"
		p.Title = p.T("booking.edit_title", f.Title)
	} else {
		p.Title = p.T("booking.new_title")
	}
	d.Zones = zoneChoices(p.Zone.String(), opts.Venues)
	d.Rule = w.rulePreview(p, f)
	more(d)
	p.Status, p.Data = status, d
	return w.render(c, "booking", p)
}

// zoneChoices are the zones the form suggests: the person's, the venues'
// and UTC.
func zoneChoices(mine string, venues []models.Venue) []string {
	seen := map[string]bool{}
	var out []string
	for _, z := range append([]string{mine, "Europe/Brussels", "UTC"}, func() []string {
		var zs []string
		for _, v := range venues {
			zs = append(zs, v.TimeZone)
		}
		return zs
	}()...) {
		if z != "" && !seen[z] {
			seen[z] = true
			out = append(out, z)
		}
	}
	return out
}

// previewCount is how many coming occurrences the rule preview lists.
const previewCount = 5

// rulePreview states the form's rule in words and expands its next
// occurrences (with the same expansion the store uses).
func (w *Web) rulePreview(p *page, f *activityForm) ruleData {
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil || f.TimeZone == "" {
		loc = p.Zone
	}
	r, bad := f.rule(loc)
	start, serr := parseFormTime(f.Start, loc)
	end, eerr := parseFormTime(f.End, loc)
	d := ruleData{Words: r.Words(p.Lang, start)}
	if bad != "" {
		d.Error = p.T("booking.err.number")
		return d
	}
	if serr != nil || eerr != nil || !end.After(start) || r.Freq == FreqNone {
		return d
	}
	rec := planning.Recurrence{Start: start, End: end, TimeZone: loc.String(), AllDay: f.AllDay, RRule: r.RRule(loc)}
	from := start
	if now := w.now(); now.After(from) {
		from = now
	}
	occs, err := planning.Expand(rec, from, from.AddDate(2, 0, 0), from, planning.Limits{})
	if err != nil {
		d.Error = err.Error()
		return d
	}
	for i, o := range occs {
		if i == previewCount {
			break
		}
		d.Next = append(d.Next, o.Start)
	}
	return d
}

// rulePartial answers the recurrence builder as it changes.
func (w *Web) rulePartial(c echo.Context) error {
	p, err := w.newPage(c, "book", "")
	if err != nil {
		return err
	}
	vals, _ := c.FormParams()
	p.Data = &bookingData{Rule: w.rulePreview(p, readForm(vals))}
	return w.renderBlock(c, "booking", "rule", p)
}

// slotSearch bounds the search for the next free slot: working hours on
// working days, within two months.
const slotSearch = 62 * 24 * time.Hour

// checkPartial checks the form as it stands against everything booked,
// through the store's check (the API's POST /conflicts/check), and looks
// for the next free slot of the required participants and the venue
// when something is in the way.
func (w *Web) checkPartial(c echo.Context) error {
	p, err := w.newPage(c, "book", "")
	if err != nil {
		return err
	}
	vals, _ := c.FormParams()
	f := readForm(vals)
	if raw := vals.Get("id"); raw != "" {
		f.ID, _ = strconv.ParseInt(raw, 10, 64)
	}
	d := &checkData{}
	p.Data = &bookingData{Check: d}
	k, err := w.refKinds(c, f.participantRefs())
	if err != nil {
		return err
	}
	in, errs := f.input(k, p.T)
	if len(errs) > 0 {
		d.Problems = append(d.Problems, p.T("booking.check_incomplete"))
		return w.renderBlock(c, "booking", "check", p)
	}
	ctx, a := c.Request().Context(), actor(c)
	report, err := w.Store.CheckActivity(ctx, a, f.ID, in)
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		for _, fe := range verr.Errors {
			d.Problems = append(d.Problems, fe.Field+": "+p.FieldMessage(fe))
		}
		return w.renderBlock(c, "booking", "check", p)
	}
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "error.no_activity")
	}
	if err != nil {
		return err
	}
	d.Report, d.Checked = report, true
	if len(report.Conflicts) > 0 {
		if err := w.nextSlot(c, in, d); err != nil {
			return err
		}
	}
	return w.renderBlock(c, "booking", "check", p)
}

// nextSlot asks the store's availability for the earliest slot, from the
// proposed start on, where the required participants and the venue are
// all free.
func (w *Web) nextSlot(c echo.Context, in models.ActivityInput, d *checkData) error {
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return nil
	}
	q := models.AvailabilityQuery{Venue: in.Venue, Duration: in.End.Sub(in.Start), WorkStart: 8 * time.Hour, WorkEnd: 19 * time.Hour,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, Location: loc, Limit: 1}
	for _, p := range in.Participants {
		if p.Required == nil || *p.Required {
			q.Participants = append(q.Participants, models.ParticipantInput{Type: p.Type, IDOrCode: p.IDOrCode})
		}
	}
	q.From = in.Start
	if now := w.now(); now.After(q.From) {
		q.From = now.Truncate(time.Hour).Add(time.Hour)
	}
	q.To = q.From.Add(slotSearch)
	slots, err := w.Store.Availability(c.Request().Context(), actor(c), q)
	var verr *models.ValidationError
	if errors.As(err, &verr) || len(slots) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	d.Slot = &slots[0]
	d.SlotStart, d.SlotEnd = slots[0].Start.In(loc).Format(wallLayout), slots[0].End.In(loc).Format(wallLayout)
	return nil
}

// pickLimit is how many of each kind of resource a picker offers.
const pickLimit = 8

// pickOption is one suggestion of the participant picker.
type pickOption struct{ Value, Label string }

// pickPartial suggests people, bodies and organisations matching what is
// typed in a participant field (the field's own value, whatever its
// name), as <option>s for its <datalist>.
func (w *Web) pickPartial(c echo.Context) error {
	q := c.QueryParam("q")
	for name, v := range c.QueryParams() {
		if strings.HasSuffix(name, ".ref") && len(v) > 0 {
			q = v[0]
		}
	}
	if _, rest, ok := strings.Cut(q, ":"); ok {
		q = rest
	}
	q = strings.TrimSpace(q)
	var opts []pickOption
	if len(q) >= 2 {
		ctx := c.Request().Context()
		lim := models.ListOptions{Limit: pickLimit}
		people, err := w.Store.ListPeople(ctx, models.PersonFilter{Q: q, ListOptions: lim})
		if err != nil {
			return err
		}
		bodies, err := w.Store.ListBodies(ctx, models.BodyFilter{Q: q, ListOptions: lim})
		if err != nil {
			return err
		}
		orgs, err := w.Store.ListOrganizations(ctx, models.OrganizationFilter{Q: q, ListOptions: lim})
		if err != nil {
			return err
		}
		for _, b := range bodies.Items {
			opts = append(opts, pickOption{"body:" + b.Code, b.Name + " (" + b.OrganizationCode + ")"})
		}
		for _, o := range orgs.Items {
			opts = append(opts, pickOption{"organization:" + o.Code, o.Name})
		}
		for _, pe := range people.Items {
			opts = append(opts, pickOption{"person:" + pe.Email, pe.Name + " (" + pe.OrganizationCode + ")"})
		}
	}
	var buf bytes.Buffer
	for _, o := range opts {
		fmt.Fprintf(&buf, "<option value=\"%s\">%s</option>\n", html.EscapeString(o.Value), html.EscapeString(o.Label))
	}
	securityHeaders(c.Response().Header())
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// refKinds asks the store which of refs (the participant references a
// form names) are the code of a body or of an organisation, so that a bare
// reference is read as one: only the codes named, for there may be more
// bodies than a page holds.
func (w *Web) refKinds(c echo.Context, refs []string) (refKinds, error) {
	bodies, orgs, err := w.Store.BodyAndOrganizationCodes(c.Request().Context(), refs)
	if err != nil {
		return refKinds{}, err
	}
	return refKinds{bodies: bodies, orgs: orgs}, nil
}

// renderBlock writes one named template of a page alone: the partials
// htmx swaps into a page.
func (w *Web) renderBlock(c echo.Context, name, block string, p *page) error {
	t, ok := w.pages.pages[name]
	if !ok {
		return echo.NewHTTPError(http.StatusInternalServerError, "no page "+name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		return err
	}
	securityHeaders(c.Response().Header())
	c.Response().Header().Set("Content-Language", string(p.Lang))
	return c.HTMLBlob(p.Status, buf.Bytes())
}

// ErrID is the id of the message next to an invalid field.
func (d *bookingData) ErrID(field string) string { return errID(field) }

// The booking form's choices, from the store's vocabulary.
func (p *page) Statuses() []models.Status       { return models.Statuses() }
func (p *page) Formats() []models.Format        { return models.Formats() }
func (p *page) Roles() []models.ParticipantRole { return models.ParticipantRoles() }
func (p *page) Frequencies() []Frequency        { return frequencies[:] }
func (p *page) Weekdays() []struct {
	Day  time.Weekday
	Code string
} {
	return weekdays[:]
}

// WeekdayName names a day in the page's language.
func (p *page) WeekdayName(d time.Weekday) string {
	if p.Lang == French {
		return frenchDays[d]
	}
	return englishDays[d]
}

// Inc numbers rows from one for people.
func (p *page) Inc(i int) int { return i + 1 }
