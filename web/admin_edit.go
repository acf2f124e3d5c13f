package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// Editing reference data: the add form's fields, filled with the item as
// stored, posted back with the version it was read at. The store checks
// the version in its transaction; when someone changed the item
// meanwhile, the form comes back with the item as it is now and a
// message, and nothing is written.

// editor describes how one kind of item is read into fields and written
// back.
type editor struct {
	section string
	fields  func(ctx context.Context) ([]formField, error)
	// load returns the item's field values, its name and version.
	load func(ctx context.Context, id int64) (values map[string]string, name string, version int, err error)
	save func(c echo.Context, id int64, version int) error
}

func (w *Web) editors() map[string]editor {
	withOrgs := func(base []formField, none bool) func(ctx context.Context) ([]formField, error) {
		return func(ctx context.Context) ([]formField, error) {
			label := ""
			if none {
				label = "—"
			}
			orgs, err := w.orgOptions(ctx, label)
			if err != nil {
				return nil, err
			}
			out := append([]formField(nil), base...)
			for i := range out {
				if out[i].Name == "organization" {
					out[i].Options = orgs
				}
			}
			return out, nil
		}
	}
	ref := func(id int64) models.Ref { return models.Ref(strconv.FormatInt(id, 10)) }
	trim := func(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }
	return map[string]editor{
		"organizations": {section: "organizations", fields: func(context.Context) ([]formField, error) { return orgFields, nil },
			load: func(ctx context.Context, id int64) (map[string]string, string, int, error) {
				o, err := w.Store.GetOrganization(ctx, ref(id))
				if err != nil {
					return nil, "", 0, err
				}
				return map[string]string{"code": o.Code, "name": o.Name, "timezone": o.TimeZone, "contact_email": o.ContactEmail}, o.Code, o.Version, nil
			},
			save: func(c echo.Context, id int64, version int) error {
				_, err := w.Store.UpdateOrganization(c.Request().Context(), actor(c), id, version, models.OrganizationInput{Code: trim(c, "code"), Name: trim(c, "name"), TimeZone: trim(c, "timezone"), ContactEmail: trim(c, "contact_email")})
				return err
			}},
		"bodies": {section: "bodies", fields: withOrgs(bodyFields, false),
			load: func(ctx context.Context, id int64) (map[string]string, string, int, error) {
				b, err := w.Store.GetBody(ctx, ref(id))
				if err != nil {
					return nil, "", 0, err
				}
				return map[string]string{"code": b.Code, "name": b.Name, "organization": b.OrganizationCode, "members": strings.Join(b.Members, ", ")}, b.Code, b.Version, nil
			},
			save: func(c echo.Context, id int64, version int) error {
				in := models.BodyInput{Code: trim(c, "code"), Name: trim(c, "name"), Organization: models.Ref(c.FormValue("organization")), Members: []models.Ref{}}
				for _, m := range splitList(c.FormValue("members")) {
					in.Members = append(in.Members, models.Ref(m))
				}
				_, err := w.Store.UpdateBody(c.Request().Context(), actor(c), id, version, in)
				return err
			}},
		"people": {section: "people", fields: withOrgs(personFields, true),
			load: func(ctx context.Context, id int64) (map[string]string, string, int, error) {
				p, err := w.Store.GetPerson(ctx, ref(id))
				if err != nil {
					return nil, "", 0, err
				}
				return map[string]string{"name": p.Name, "email": p.Email, "organization": p.OrganizationCode, "timezone": p.TimeZone, "title": p.Title}, p.Email, p.Version, nil
			},
			save: func(c echo.Context, id int64, version int) error {
				ctx := c.Request().Context()
				cur, err := w.Store.GetPerson(ctx, ref(id))
				if err != nil {
					return err
				}
				in := cur.Input() // keeps the reminder preferences, which are the person's
				in.Name, in.Email, in.Organization, in.TimeZone, in.Title = trim(c, "name"), trim(c, "email"), models.Ref(c.FormValue("organization")), trim(c, "timezone"), trim(c, "title")
				_, err = w.Store.UpdatePerson(ctx, actor(c), id, version, in)
				return err
			}},
		"venues": {section: "venues", fields: func(context.Context) ([]formField, error) { return venueFields, nil },
			load: func(ctx context.Context, id int64) (map[string]string, string, int, error) {
				v, err := w.Store.GetVenue(ctx, ref(id))
				if err != nil {
					return nil, "", 0, err
				}
				virtual := ""
				if v.Virtual {
					virtual = "true"
				}
				return map[string]string{"code": v.Code, "name": v.Name, "timezone": v.TimeZone, "address": v.Address, "virtual": virtual, "buffer": strconv.Itoa(v.BufferSeconds)}, v.Code, v.Version, nil
			},
			save: func(c echo.Context, id int64, version int) error {
				ctx := c.Request().Context()
				cur, err := w.Store.GetVenue(ctx, ref(id))
				if err != nil {
					return err
				}
				in := cur.Input() // keeps the buffer, which the form does not show
				in.Code, in.Name, in.TimeZone, in.Address, in.Virtual = trim(c, "code"), trim(c, "name"), trim(c, "timezone"), trim(c, "address"), c.FormValue("virtual") == "true"
				_, err = w.Store.UpdateVenue(ctx, actor(c), id, version, in)
				return err
			}},
	}
}

// editData is the edit page's data.
type editData struct {
	Form    adminForm
	Name    string
	Version int
	Back    string
	// Stale says the item changed since the form was read; the form now
	// shows it as it is.
	Stale bool
}

func fill(fields []formField, values map[string]string) []formField {
	out := make([]formField, len(fields))
	for i, f := range fields {
		if f.Type == "checkbox" {
			f.Checked = values[f.Name] == "true"
		} else {
			f.Value = values[f.Name]
		}
		out[i] = f
	}
	return out
}

// adminEditPage shows the edit form of an item.
func (w *Web) adminEditPage(c echo.Context) error {
	return w.showEdit(c, http.StatusOK, nil, nil, false)
}

func (w *Web) showEdit(c echo.Context, status int, submitted []formField, errs formErrors, stale bool) error {
	ed, ok := w.editors()[c.Param("section")]
	id, okID := idParam(c)
	if !ok || !okID {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	ctx := c.Request().Context()
	values, name, version, err := ed.load(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	if err != nil {
		return err
	}
	fields, err := ed.fields(ctx)
	if err != nil {
		return err
	}
	if submitted == nil || stale {
		submitted = fill(fields, values)
	}
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	base := "/admin/" + ed.section
	d := editData{Name: name, Version: version, Back: base, Stale: stale,
		Form: adminForm{Heading: "admin." + ed.section + ".title", Action: base + "/" + strconv.FormatInt(id, 10), Button: "admin.save", Errors: errs}}
	d.Form.Views = fieldViews(p, submitted, errs)
	p.Title, p.Data, p.Status = p.T("admin.edit", name), d, status
	return w.render(c, "admin_edit", p)
}

// adminSave writes an edit at the version the form was read at.
func (w *Web) adminSave(c echo.Context) error {
	ed, ok := w.editors()[c.Param("section")]
	id, okID := idParam(c)
	if !ok || !okID {
		return w.fail(c, http.StatusNotFound, "admin.not_found")
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 1 {
		return w.fail(c, http.StatusBadRequest, "admin.no_version")
	}
	fields, err := ed.fields(c.Request().Context())
	if err != nil {
		return err
	}
	err = ed.save(c, id, version)
	if errors.Is(err, models.ErrStale) {
		return w.showEdit(c, http.StatusPreconditionFailed, nil, nil, true)
	}
	if errs, ok := w.storeFieldErrors(c, err); ok {
		return w.showEdit(c, http.StatusUnprocessableEntity, withValues(fields, c), errs, false)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/"+ed.section)
}
