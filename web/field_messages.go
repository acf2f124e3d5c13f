package web

import (
	"fmt"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// fieldArgLabels names, for the validation messages whose arguments are
// words of the data's vocabulary (a kind, a resource type), the catalogue
// prefix that translates each argument; "" leaves it as it is.
var fieldArgLabels = map[string][]string{
	"activity %d is a %s, not an exercise":               {"", "kind"},
	"an exercise phase belongs to an exercise, not a %s": {"kind"},
	"no %s with id or code %q":                           {"resource", ""},
	"the same %s is listed twice":                        {"resource"},
}

// fieldText says a store's objection to a field in l: its English format
// looked up in l's validation catalogue (web/locales/*/validation.json),
// with the same arguments. A message without a format or without a
// translation stays in English, so a field is never marked with nothing.
func (w *Web) fieldText(l Language, fe models.FieldError) string {
	format, ok := w.fieldCat[l][fe.Format]
	if fe.Format == "" || !ok || format == "" {
		return fe.Message
	}
	args := fe.Args
	if prefixes, ok := fieldArgLabels[fe.Format]; ok {
		args = append([]any(nil), args...)
		for i, prefix := range prefixes {
			if prefix == "" || i >= len(args) {
				continue
			}
			if key := prefix + "." + fmt.Sprint(args[i]); w.cat[English][key] != "" {
				args[i] = w.cat.Text(l, key)
			}
		}
	}
	return fmt.Sprintf(format, args...)
}

// FieldMessage is a store's objection to a field in the page's language.
func (p *page) FieldMessage(fe models.FieldError) string { return p.w.fieldText(p.Lang, fe) }

// language is the language of c's page (the person's choice, else the
// browser's), for a message made before the page is.
func (w *Web) language(c echo.Context) Language {
	p, err := w.newPage(c, "", "")
	if err != nil {
		return negotiate(c.Request().Header.Get("Accept-Language"))
	}
	return p.Lang
}
