package web

import (
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/labstack/echo/v4"
)

// formErrors are a form's messages by field name; templates mark a field
// with Attrs and write its message next to it with Msg.
type formErrors map[string]string

// Attrs marks the control id of field name as invalid and points it at
// its message (id "<id>-error"), or is empty when the field is fine.
func (e formErrors) Attrs(id, name string) template.HTMLAttr {
	if _, ok := e[name]; !ok {
		return ""
	}
	return template.HTMLAttr(` aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(id) + `-error"`)
}

// Msg is the message of field name ("" when it is fine).
func (e formErrors) Msg(name string) string { return e[name] }

// Any reports whether the form has any error.
func (e formErrors) Any() bool { return len(e) > 0 }

// storeFieldErrors maps what the store refused onto the form's fields: a
// validation error's fields ("filter.kinds[0]" is the field "kinds" of
// the form), a duplicate's field. Other errors are not the form's.
// The messages are in the page's language.
func (w *Web) storeFieldErrors(c echo.Context, err error) (formErrors, bool) {
	var (
		ve *models.ValidationError
		de *models.DuplicateError
	)
	out := formErrors{}
	switch {
	case errors.As(err, &ve):
		l := w.language(c)
		for _, f := range ve.Errors {
			name := formFieldName(f.Field)
			if _, seen := out[name]; !seen {
				out[name] = w.fieldText(l, f)
			}
		}
	case errors.As(err, &de):
		out[formFieldName(de.Field)] = w.fieldText(w.language(c), de.FieldError())
	default:
		return nil, false
	}
	return out, true
}

// formFieldName is the form's name of a store field: the last part of a dotted
// path, without an index.
func formFieldName(field string) string {
	field, _, _ = strings.Cut(field, "[")
	if strings.HasPrefix(field, "owner") {
		return "owner"
	}
	if i := strings.LastIndex(field, "."); i >= 0 {
		field = field[i+1:]
	}
	return field
}

// splitList reads a comma- or line-separated form value as a list.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// formList reads a form field that repeats (checkboxes, a multiple
// select).
func formList(c echo.Context, name string) []string {
	params, err := c.FormParams()
	if err != nil {
		return nil
	}
	var out []string
	for _, v := range params[name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// confirmData is the confirmation page that stands between a button and
// an action that cannot be undone; it works without script.
type confirmData struct {
	Question, Detail, Action, Button, Back string
	Danger                                 bool
}

// confirm renders the confirmation page for a POST to action.
func (w *Web) confirm(c echo.Context, nav string, d confirmData) error {
	p, err := w.newPage(c, nav, "")
	if err != nil {
		return err
	}
	p.Title, p.Data = d.Question, d
	return w.render(c, "confirm", p)
}

// confirmed reports whether a POST is the confirmation page's answer.
func confirmed(c echo.Context) bool { return c.FormValue("confirm") == "yes" }

// refusal is what a page shows when the store refused a workflow step
// the person may take but not now (a proposal already closed, a slot
// taken meanwhile): the state's explanation, or the clash.
func refusal(err error) (string, bool) {
	var (
		state *models.StateError
		clash *models.ConflictError
	)
	switch {
	case errors.As(err, &state):
		return state.Detail, true
	case errors.As(err, &clash):
		return clash.Error(), true
	}
	return "", false
}

// formZone loads a zone a form names; a missing or unknown one is not ok
// (and UTC stands in, so that the rest of the form can still be read).
func formZone(tz string) (*time.Location, bool) {
	if tz == "" {
		return time.UTC, false
	}
	loc, err := planning.LoadZone(tz)
	if err != nil {
		return time.UTC, false
	}
	return loc, true
}

// readWhen reads the zone, start and end of a form that books something
// (an activity, an exercise from a template, a coordination meeting):
// each problem is marked on its field in the person's language (t), and
// UTC stands in for a bad zone so that the times can still be read.
func readWhen(errs formErrors, t func(string, ...any) string, tz, start, end string) (loc *time.Location, from, to time.Time) {
	loc, ok := formZone(tz)
	if !ok {
		errs.add("timezone", t("booking.err.timezone"))
	}
	read := func(field, s string) time.Time {
		if s == "" {
			errs.add(field, t("booking.err.required"))
			return time.Time{}
		}
		tm, err := parseFormTime(s, loc)
		if err != nil {
			errs.add(field, t("booking.err.time"))
		}
		return tm
	}
	return loc, read("start", start), read("end", end)
}
