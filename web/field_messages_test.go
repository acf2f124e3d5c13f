package web

import (
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/web/locales"
)

// TestFieldTextFallsBackToEnglish: a message is said from its French
// format with its arguments (vocabulary words through the catalogue),
// and one the catalogue lacks, or one made without a format, stays in
// English rather than going blank.
func TestFieldTextFallsBackToEnglish(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	fieldCat, err := locales.LoadValidation()
	if err != nil {
		t.Fatal(err)
	}
	w := &Web{cat: cat, fieldCat: fieldCat}
	add := func(format string, args ...any) models.FieldError {
		var v models.ValidationError
		v.Add("f", format, args...)
		return v.Errors[0]
	}
	tests := []struct {
		name string
		lang Language
		fe   models.FieldError
		want string
	}{
		{"translated", French, add("at most %d characters", 200), "200 caractères au plus"},
		{"vocabulary argument", French, add("the same %s is listed twice", "body"), "participant en double (instance)"},
		{"unknown word kept", French, add("activity %d is a %s, not an exercise", 7, "gala"), "l’activité 7 est de type « gala », pas un exercice"},
		{"no translation", French, add("a message nobody translated (%d)", 3), "a message nobody translated (3)"},
		{"no format", French, models.FieldError{Field: "f", Message: "made by hand"}, "made by hand"},
		{"duplicate", French, (&models.DuplicateError{Field: "code", Value: "EU"}).FieldError(), `code "EU" : valeur déjà utilisée`},
		{"English", English, add("at most %d characters", 200), "at most 200 characters"},
	}
	for _, tt := range tests {
		if got := w.fieldText(tt.lang, tt.fe); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
