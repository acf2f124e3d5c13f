package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// The reference data: organisations, bodies with their members, people
// with their grants, venues and blackouts — each a list with delete, and
// a form to add one, through the store's CRUD functions (the API's).

// listOpts reads the page cursor of a list.
func listOpts(c echo.Context) models.ListOptions {
	return models.ListOptions{Limit: models.MaxLimit, Cursor: c.QueryParam("cursor")}
}

// orgOptions are the organisations as select options (first: none when
// optional).
func (w *Web) orgOptions(ctx context.Context, none string) ([]option, error) {
	orgs, err := w.Store.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return nil, err
	}
	var out []option
	if none != "" {
		out = append(out, option{Value: "", Label: none})
	}
	for _, o := range orgs.Items {
		out = append(out, option{Value: o.Code, Label: o.Name + " (" + o.Code + ")"})
	}
	return out, nil
}

// adminAfterWrite ends a create or delete: back to the list, or the
// form again with the store's objections marked.
func (w *Web) adminAfterWrite(c echo.Context, err error, list string, again func(formErrors) error) error {
	if errs, ok := w.storeFieldErrors(c, err); ok {
		return again(errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, list)
}

func deleteAction(p *page, path string, id int64, name string) rowAction {
	return rowAction{Label: p.T("admin.delete"), AriaLabel: p.T("admin.delete_named", name), Action: path + "/" + strconv.FormatInt(id, 10) + "/delete", Danger: true}
}

// --- organisations

var orgFields = []formField{
	{Name: "code", Label: "admin.field.code", Required: true},
	{Name: "name", Label: "admin.field.name", Required: true},
	{Name: "timezone", Label: "admin.field.timezone", Value: models.DefaultOrganizationZone},
	{Name: "contact_email", Label: "admin.field.contact_email", Type: "email"},
}

func (w *Web) adminOrganizations(c echo.Context) error {
	return w.showOrganizations(c, http.StatusOK, orgFields, nil)
}

func (w *Web) showOrganizations(c echo.Context, status int, fields []formField, errs formErrors) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	list, err := w.Store.ListOrganizations(c.Request().Context(), models.OrganizationFilter{ListOptions: listOpts(c)})
	if err != nil {
		return err
	}
	t := adminTable{Section: "organizations", Heading: "admin.organizations.title", Empty: "admin.none",
		Columns: []string{"admin.field.code", "admin.field.name", "admin.field.timezone", "admin.field.contact_email"},
		Next:    nextLink("/admin/organizations", nil, list.NextCursor),
		Form:    &adminForm{Heading: "admin.organizations.new", Action: "/admin/organizations", Button: "admin.add", Fields: fields, Errors: errs}}
	for _, o := range list.Items {
		t.Rows = append(t.Rows, adminRow{Cells: []string{o.Code, o.Name, o.TimeZone, o.ContactEmail}, Actions: []rowAction{deleteAction(p, "/admin/organizations", o.ID, o.Code)}, Edit: editPath("organizations", o.ID), EditLabel: p.T("admin.edit_named", o.Code)})
	}
	return w.renderAdmin(c, p, status, t)
}

func (w *Web) createOrganization(c echo.Context) error {
	in := models.OrganizationInput{Code: strings.TrimSpace(c.FormValue("code")), Name: strings.TrimSpace(c.FormValue("name")), TimeZone: strings.TrimSpace(c.FormValue("timezone")), ContactEmail: strings.TrimSpace(c.FormValue("contact_email"))}
	_, err := w.Store.CreateOrganization(c.Request().Context(), actor(c), in)
	return w.adminAfterWrite(c, err, "/admin/organizations", func(errs formErrors) error {
		return w.showOrganizations(c, http.StatusUnprocessableEntity, withValues(orgFields, c), errs)
	})
}

func (w *Web) deleteOrganization(c echo.Context) error {
	return w.adminDelete(c, "admin.organizations.delete", "/admin/organizations", w.Store.DeleteOrganization)
}

// adminDelete confirms, then deletes through the store; a delete the
// store refuses because other data refers to the item is a page saying
// so.
func (w *Web) adminDelete(c echo.Context, question, list string, remove func(context.Context, models.Actor, int64, int) error) error {
	id, ok := idParam(c)
	if !ok {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	if done, err := w.confirmAction(c, question, list); !done {
		return err
	}
	err := remove(c.Request().Context(), actor(c), id, 0)
	var iu *models.InUseError
	if errors.As(err, &iu) {
		p, perr := w.newPage(c, "admin", "")
		if perr != nil {
			return perr
		}
		return w.ErrorPage(c, http.StatusConflict, p.T("admin.in_use", iu.Error()))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, list)
}

// --- bodies

var bodyFields = []formField{
	{Name: "code", Label: "admin.field.code", Required: true},
	{Name: "name", Label: "admin.field.name", Required: true},
	{Name: "organization", Label: "admin.field.organization", Type: "select"},
	{Name: "members", Label: "admin.field.members", Hint: "admin.hint.emails"},
}

func (w *Web) adminBodies(c echo.Context) error {
	return w.showBodies(c, http.StatusOK, bodyFields, nil)
}

func (w *Web) showBodies(c echo.Context, status int, fields []formField, errs formErrors) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := w.Store.ListBodies(ctx, models.BodyFilter{ListOptions: listOpts(c)})
	if err != nil {
		return err
	}
	orgs, err := w.orgOptions(ctx, "")
	if err != nil {
		return err
	}
	fields = append([]formField(nil), fields...)
	fields[2].Options = orgs
	t := adminTable{Section: "bodies", Heading: "admin.bodies.title", Empty: "admin.none",
		Columns: []string{"admin.field.code", "admin.field.name", "admin.field.organization", "admin.field.members"},
		Next:    nextLink("/admin/bodies", nil, list.NextCursor),
		Form:    &adminForm{Heading: "admin.bodies.new", Action: "/admin/bodies", Button: "admin.add", Fields: fields, Errors: errs}}
	for _, b := range list.Items {
		t.Rows = append(t.Rows, adminRow{Cells: []string{b.Code, b.Name, b.OrganizationCode, strings.Join(b.Members, ", ")}, Actions: []rowAction{deleteAction(p, "/admin/bodies", b.ID, b.Code)}, Edit: editPath("bodies", b.ID), EditLabel: p.T("admin.edit_named", b.Code)})
	}
	return w.renderAdmin(c, p, status, t)
}

func (w *Web) createBody(c echo.Context) error {
	in := models.BodyInput{Code: strings.TrimSpace(c.FormValue("code")), Name: strings.TrimSpace(c.FormValue("name")), Organization: models.Ref(c.FormValue("organization")), Members: []models.Ref{}}
	for _, m := range splitList(c.FormValue("members")) {
		in.Members = append(in.Members, models.Ref(m))
	}
	_, err := w.Store.CreateBody(c.Request().Context(), actor(c), in)
	return w.adminAfterWrite(c, err, "/admin/bodies", func(errs formErrors) error {
		return w.showBodies(c, http.StatusUnprocessableEntity, withValues(bodyFields, c), errs)
	})
}

func (w *Web) deleteBody(c echo.Context) error {
	return w.adminDelete(c, "admin.bodies.delete", "/admin/bodies", w.Store.DeleteBody)
}

// --- people

var personFields = []formField{
	{Name: "name", Label: "admin.field.name", Required: true},
	{Name: "email", Label: "admin.field.email", Type: "email", Required: true},
	{Name: "organization", Label: "admin.field.organization", Type: "select"},
	{Name: "timezone", Label: "admin.field.timezone", Value: models.DefaultOrganizationZone},
	{Name: "title", Label: "admin.field.job_title"},
}

func (w *Web) adminPeople(c echo.Context) error {
	return w.showPeople(c, http.StatusOK, personFields, nil)
}

func (w *Web) showPeople(c echo.Context, status int, fields []formField, errs formErrors) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	list, err := w.Store.ListPeople(ctx, models.PersonFilter{Q: q, Organization: models.Ref(c.QueryParam("organization")), ListOptions: listOpts(c)})
	if err != nil {
		return err
	}
	// Every grant once, grouped by person: no query per row.
	grants := map[int64][]string{}
	opts := models.ListOptions{Limit: models.MaxLimit}
	for {
		page, err := w.Store.ListGrants(ctx, a, "", opts)
		if err != nil {
			return err
		}
		for _, g := range page.Items {
			s := string(g.Role)
			if g.OrganizationCode != "" {
				s += " (" + g.OrganizationCode + ")"
			}
			grants[g.PersonID] = append(grants[g.PersonID], s)
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	orgs, err := w.orgOptions(ctx, p.T("admin.none_option"))
	if err != nil {
		return err
	}
	fields = append([]formField(nil), fields...)
	fields[2].Options = orgs
	t := adminTable{Section: "people", Heading: "admin.people.title", Empty: "admin.none",
		Filters: []formField{{Name: "q", Label: "admin.field.search", Value: q}, {Name: "organization", Label: "admin.field.organization", Type: "select", Options: anyFirst(p, orgs), Value: c.QueryParam("organization")}},
		Columns: []string{"admin.field.name", "admin.field.email", "admin.field.organization", "admin.field.timezone", "admin.field.grants"},
		Next:    nextLink("/admin/people", c.QueryParams(), list.NextCursor),
		Form:    &adminForm{Heading: "admin.people.new", Action: "/admin/people", Button: "admin.add", Fields: fields, Errors: errs}}
	for _, pe := range list.Items {
		t.Rows = append(t.Rows, adminRow{Cells: []string{pe.Name, pe.Email, pe.OrganizationCode, pe.TimeZone, strings.Join(grants[pe.ID], ", ")}, Actions: []rowAction{deleteAction(p, "/admin/people", pe.ID, pe.Email)}, Edit: editPath("people", pe.ID), EditLabel: p.T("admin.edit_named", pe.Email)})
	}
	return w.renderAdmin(c, p, status, t)
}

func (w *Web) createPerson(c echo.Context) error {
	in := models.PersonInput{Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")), Organization: models.Ref(c.FormValue("organization")), TimeZone: strings.TrimSpace(c.FormValue("timezone")), Title: strings.TrimSpace(c.FormValue("title"))}
	_, err := w.Store.CreatePerson(c.Request().Context(), actor(c), in)
	return w.adminAfterWrite(c, err, "/admin/people", func(errs formErrors) error {
		return w.showPeople(c, http.StatusUnprocessableEntity, withValues(personFields, c), errs)
	})
}

func (w *Web) deletePerson(c echo.Context) error {
	return w.adminDelete(c, "admin.people.delete", "/admin/people", w.Store.DeletePerson)
}

// --- grants

var grantFields = []formField{
	{Name: "person", Label: "admin.field.email", Type: "email", Required: true},
	{Name: "role", Label: "admin.field.role", Type: "select", Options: []option{{"viewer", "viewer"}, {"planner", "planner"}, {"admin", "admin"}}},
	{Name: "organization", Label: "admin.field.organization", Type: "select"},
}

func (w *Web) adminGrants(c echo.Context) error {
	return w.showGrants(c, http.StatusOK, grantFields, nil)
}

func (w *Web) showGrants(c echo.Context, status int, fields []formField, errs formErrors) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := w.Store.ListGrants(ctx, actor(c), "", listOpts(c))
	if err != nil {
		return err
	}
	orgs, err := w.orgOptions(ctx, p.T("admin.none_option"))
	if err != nil {
		return err
	}
	fields = append([]formField(nil), fields...)
	fields[2].Options = orgs
	t := adminTable{Section: "grants", Heading: "admin.grants.title", Intro: "admin.grants.intro", Empty: "admin.none",
		Columns: []string{"admin.field.email", "admin.field.role", "admin.field.organization", "admin.field.created"},
		Next:    nextLink("/admin/grants", nil, list.NextCursor),
		Form:    &adminForm{Heading: "admin.grants.new", Action: "/admin/grants", Button: "admin.grant", Fields: fields, Errors: errs}}
	for _, g := range list.Items {
		t.Rows = append(t.Rows, adminRow{Cells: []string{g.Person, string(g.Role), g.OrganizationCode, p.when(&g.CreatedAt)},
			Actions: []rowAction{{Label: p.T("admin.revoke"), AriaLabel: p.T("admin.revoke_named", g.Person+" "+string(g.Role)), Action: "/admin/grants/" + strconv.FormatInt(g.ID, 10) + "/revoke", Danger: true}}})
	}
	return w.renderAdmin(c, p, status, t)
}

func (w *Web) createGrant(c echo.Context) error {
	in := models.GrantInput{Person: models.Ref(strings.TrimSpace(c.FormValue("person"))), Role: models.Role(c.FormValue("role")), Organization: models.Ref(c.FormValue("organization"))}
	_, err := w.Store.GrantRole(c.Request().Context(), actor(c), in)
	return w.adminAfterWrite(c, err, "/admin/grants", func(errs formErrors) error {
		return w.showGrants(c, http.StatusUnprocessableEntity, withValues(grantFields, c), errs)
	})
}

// revokeGrant finds the grant by id among the listed ones (the store
// revokes by person, role and organisation, as the API does).
func (w *Web) revokeGrant(c echo.Context) error {
	id, ok := idParam(c)
	if !ok {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	if done, err := w.confirmAction(c, "admin.grants.revoke", "/admin/grants"); !done {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	opts := models.ListOptions{Limit: models.MaxLimit}
	for {
		page, err := w.Store.ListGrants(ctx, a, "", opts)
		if err != nil {
			return err
		}
		for _, g := range page.Items {
			if g.ID == id {
				if err := w.Store.RevokeGrant(ctx, a, models.GrantInput{Person: models.Ref(g.Person), Role: g.Role, Organization: models.Ref(g.OrganizationCode)}); err != nil {
					return err
				}
				return c.Redirect(http.StatusSeeOther, "/admin/grants")
			}
		}
		if page.NextCursor == "" {
			return w.fail(c, http.StatusNotFound, "admin.not_found")
		}
		opts.Cursor = page.NextCursor
	}
}

// --- venues

var venueFields = []formField{
	{Name: "code", Label: "admin.field.code", Required: true},
	{Name: "name", Label: "admin.field.name", Required: true},
	{Name: "timezone", Label: "admin.field.timezone", Value: models.DefaultOrganizationZone},
	{Name: "address", Label: "admin.field.address"},
	{Name: "virtual", Label: "admin.field.virtual", Type: "checkbox"},
}

func (w *Web) adminVenues(c echo.Context) error {
	return w.showVenues(c, http.StatusOK, venueFields, nil)
}

func (w *Web) showVenues(c echo.Context, status int, fields []formField, errs formErrors) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	list, err := w.Store.ListVenues(c.Request().Context(), models.VenueFilter{ListOptions: listOpts(c)})
	if err != nil {
		return err
	}
	t := adminTable{Section: "venues", Heading: "admin.venues.title", Empty: "admin.none",
		Columns: []string{"admin.field.code", "admin.field.name", "admin.field.timezone", "admin.field.address", "admin.field.virtual"},
		Next:    nextLink("/admin/venues", nil, list.NextCursor),
		Form:    &adminForm{Heading: "admin.venues.new", Action: "/admin/venues", Button: "admin.add", Fields: fields, Errors: errs}}
	for _, v := range list.Items {
		virtual := ""
		if v.Virtual {
			virtual = p.T("admin.yes")
		}
		t.Rows = append(t.Rows, adminRow{Cells: []string{v.Code, v.Name, v.TimeZone, v.Address, virtual}, Actions: []rowAction{deleteAction(p, "/admin/venues", v.ID, v.Code)}, Edit: editPath("venues", v.ID), EditLabel: p.T("admin.edit_named", v.Code)})
	}
	return w.renderAdmin(c, p, status, t)
}

func (w *Web) createVenue(c echo.Context) error {
	in := models.VenueInput{Code: strings.TrimSpace(c.FormValue("code")), Name: strings.TrimSpace(c.FormValue("name")), TimeZone: strings.TrimSpace(c.FormValue("timezone")), Address: strings.TrimSpace(c.FormValue("address")), Virtual: c.FormValue("virtual") == "true"}
	_, err := w.Store.CreateVenue(c.Request().Context(), actor(c), in)
	return w.adminAfterWrite(c, err, "/admin/venues", func(errs formErrors) error {
		return w.showVenues(c, http.StatusUnprocessableEntity, withValues(venueFields, c), errs)
	})
}

func (w *Web) deleteVenue(c echo.Context) error {
	return w.adminDelete(c, "admin.venues.delete", "/admin/venues", w.Store.DeleteVenue)
}

// --- blackouts

var blackoutFields = []formField{
	{Name: "title", Label: "admin.field.title", Required: true},
	{Name: "start", Label: "admin.field.start", Type: "datetime-local", Required: true},
	{Name: "end", Label: "admin.field.end", Type: "datetime-local", Required: true},
	{Name: "severity", Label: "admin.field.severity", Type: "select", Options: []option{{"hard", "hard"}, {"soft", "soft"}}},
	{Name: "organizations", Label: "admin.field.organizations", Hint: "admin.hint.codes"},
}

func (w *Web) adminBlackouts(c echo.Context) error {
	return w.showBlackouts(c, http.StatusOK, blackoutFields, nil)
}

func (w *Web) showBlackouts(c echo.Context, status int, fields []formField, errs formErrors) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	list, err := w.Store.ListBlackouts(c.Request().Context(), models.BlackoutFilter{ListOptions: listOpts(c)})
	if err != nil {
		return err
	}
	t := adminTable{Section: "blackouts", Heading: "admin.blackouts.title", Empty: "admin.none",
		Columns: []string{"admin.field.title", "admin.field.start", "admin.field.end", "admin.field.severity", "admin.field.organizations"},
		Next:    nextLink("/admin/blackouts", nil, list.NextCursor),
		Form:    &adminForm{Heading: "admin.blackouts.new", Action: "/admin/blackouts", Button: "admin.add", Fields: fields, Errors: errs}}
	for _, b := range list.Items {
		t.Rows = append(t.Rows, adminRow{Cells: []string{b.Title, p.when(&b.StartAt), p.when(&b.EndAt), b.Severity, strings.Join(b.Organizations, ", ")}, Actions: []rowAction{deleteAction(p, "/admin/blackouts", b.ID, b.Title)}})
	}
	return w.renderAdmin(c, p, status, t)
}

func (w *Web) createBlackout(c echo.Context) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	errs := formErrors{}
	in := models.BlackoutInput{Title: strings.TrimSpace(c.FormValue("title")), Severity: c.FormValue("severity")}
	for name, dst := range map[string]*time.Time{"start": &in.Start, "end": &in.End} {
		t, err := parseFormTime(c.FormValue(name), p.Zone)
		if err != nil {
			errs[name] = p.T("admin.bad_time")
		}
		*dst = t
	}
	for _, code := range splitList(c.FormValue("organizations")) {
		in.Organizations = append(in.Organizations, models.Ref(code))
	}
	again := func(errs formErrors) error {
		return w.showBlackouts(c, http.StatusUnprocessableEntity, withValues(blackoutFields, c), errs)
	}
	if errs.Any() {
		return again(errs)
	}
	_, err = w.Store.CreateBlackout(c.Request().Context(), actor(c), in)
	return w.adminAfterWrite(c, err, "/admin/blackouts", again)
}

func (w *Web) deleteBlackout(c echo.Context) error {
	return w.adminDelete(c, "admin.blackouts.delete", "/admin/blackouts", w.Store.DeleteBlackout)
}

// editPath is the edit page of an item.
func editPath(section string, id int64) string {
	return "/admin/" + section + "/" + strconv.FormatInt(id, 10) + "/edit"
}

// anyFirst is a filter's choice of organisations: "any" first.
func anyFirst(p *page, orgs []option) []option {
	out := []option{{Value: "", Label: p.T("filter.any")}}
	for _, o := range orgs {
		if o.Value != "" {
			out = append(out, o)
		}
	}
	return out
}
