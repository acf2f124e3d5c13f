package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// The administration pages share one shape: a table of what the store
// lists, with the key actions per row (each a POST form, confirmed first
// when it cannot be undone), and often a form to add one. Every page is
// behind admin, which asks the store whether the person is an
// administrator; the store functions behind each action check again.

// admin admits administrators only (models.Actor.RequireAdmin); others
// get a 403 page.
func (w *Web) admin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := actor(c).RequireAdmin(); err != nil {
			return w.fail(c, http.StatusForbidden, "admin.forbidden")
		}
		return next(c)
	}
}

// adminTable is one administration page's data.
type adminTable struct {
	// Section names the page among the administration pages.
	Section string
	// Heading and Intro are catalogue keys.
	Heading, Intro string
	// Filters is a GET form above the table (nil: none).
	Filters []formField
	Columns []string
	Rows    []adminRow
	// Next is the address of the next page of a long list.
	Next string
	// Form adds an item (nil: none).
	Form *adminForm
	// Notice says what the last action did (a secret shown once in
	// Secret).
	Notice, Secret string
	Empty          string
	// FilterViews are the filters ready to write (renderAdmin), marked
	// with FilterErrors.
	FilterViews  []fieldView
	FilterErrors formErrors
}

// adminRow is a row of cells, one of them (LinkCol) optionally a link,
// and its actions.
type adminRow struct {
	Link    string
	LinkCol int
	// Edit is the address of the item's edit page ("" when none), and
	// EditLabel names it for screen readers.
	Edit, EditLabel string
	Cells           []string
	Actions         []rowAction
}

// rowAction is a button that posts to Action; Label names it for screen
// readers together with the row (AriaLabel).
type rowAction struct {
	Label, AriaLabel, Action string
	Danger                   bool
}

// adminForm is a form of fields posted to Action.
type adminForm struct {
	Heading, Action, Button string
	Fields                  []formField
	Errors                  formErrors
	Views                   []fieldView
}

// fieldView is a field with its label and hint translated and its
// message, as the field template writes it.
type fieldView struct {
	F                formField
	Label, Hint, Err string
}

func fieldViews(p *page, fields []formField, errs formErrors) []fieldView {
	out := make([]fieldView, len(fields))
	for i, f := range fields {
		v := fieldView{F: f, Label: p.T(f.Label), Err: errs.Msg(f.Name)}
		if f.Hint != "" {
			v.Hint = p.T(f.Hint)
		}
		out[i] = v
	}
	return out
}

// formField is one control: text (and email, datetime-local), select,
// checkbox or textarea.
type formField struct {
	Name, Label, Type, Value, Hint string
	Options                        []option
	Required, Checked              bool
}

// when writes an instant in the person's zone, or "—".
func (p *page) when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return p.ShortDate(*t) + " " + t.In(p.Zone).Format("2006") + " " + p.Time(*t)
}

// ID is the control's id.
func (f formField) ID() string { return "f-" + f.Name }

type option struct {
	Value, Label string
}

// withValues fills the fields from a submitted form (so that a refused
// form comes back as the person wrote it).
func withValues(fields []formField, c echo.Context) []formField {
	out := make([]formField, len(fields))
	for i, f := range fields {
		if f.Type == "checkbox" {
			f.Checked = c.FormValue(f.Name) == "true"
		} else {
			f.Value = c.FormValue(f.Name)
		}
		out[i] = f
	}
	return out
}

// renderAdmin renders an administration page on p.
func (w *Web) renderAdmin(c echo.Context, p *page, status int, t adminTable) error {
	t.FilterViews = fieldViews(p, t.Filters, t.FilterErrors)
	if t.Form != nil {
		f := *t.Form
		f.Views = fieldViews(p, f.Fields, f.Errors)
		t.Form = &f
	}
	p.Title, p.Data, p.Status = p.T(t.Heading), t, status
	return w.render(c, "admin", p)
}

// adminSections are the administration pages, in the index's order.
var adminSections = []string{"organizations", "bodies", "people", "grants", "venues", "blackouts", "tokens", "external", "outbox", "jobs", "audit", "templates"}

// adminIndex links the administration pages.
func (w *Web) adminIndex(c echo.Context) error {
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return err
	}
	p.Title, p.Data = p.T("admin.title"), adminSections
	return w.render(c, "admin_index", p)
}

// idParam reads the :id of an administration action.
func idParam(c echo.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// confirmAction asks before an action that cannot be undone; it answers
// true when the request is the confirmation itself.
func (w *Web) confirmAction(c echo.Context, question, back string) (bool, error) {
	if confirmed(c) {
		return true, nil
	}
	p, err := w.newPage(c, "admin", "")
	if err != nil {
		return false, err
	}
	return false, w.confirm(c, "admin", confirmData{Question: p.T(question), Action: c.Request().URL.Path, Button: p.T("admin.confirm"), Back: back, Danger: true})
}

// nextLink is the address of the next page of a list, keeping the
// filters.
func nextLink(path string, q url.Values, cursor string) string {
	if cursor == "" {
		return ""
	}
	q = cloneValues(q)
	q.Set("cursor", cursor)
	return path + "?" + q.Encode()
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
