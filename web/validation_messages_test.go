package web_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// validationFormats are the English format strings of the store's
// validation messages, as written in models and storage: the second
// argument of a ValidationError's Add, and the Format of a FieldError
// literal. Each maps to where it is first written.
func validationFormats(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range []string{"../models", "../storage"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			collectFormats(t, fset, src, f, out)
		}
	}
	return out
}

func collectFormats(t *testing.T, fset *token.FileSet, src []byte, f *ast.File, out map[string]string) {
	record := func(e ast.Expr, what string) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Errorf("%s: %s is not a literal format, so it cannot be translated", fset.Position(e.Pos()), what)
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		if _, seen := out[s]; !seen {
			out[s] = fset.Position(lit.Pos()).String()
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "Add" && len(n.Args) >= 2 && isValidationError(fset, src, sel.X) {
				record(n.Args[1], "the format of Add")
			}
		case *ast.CompositeLit:
			if !strings.HasSuffix(exprText(fset, src, n.Type), "FieldError") {
				return true
			}
			for _, el := range n.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					// A literal Format only: Add's own passes its parameter on.
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Format" && isLiteral(kv.Value) {
						record(kv.Value, "a FieldError's Format")
					}
				}
			}
		}
		return true
	})
}

func isLiteral(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

// isValidationError reports whether the receiver of an Add is declared
// as a ValidationError (a parameter, a var or an assignment from a
// literal): url.Values has an Add too.
func isValidationError(fset *token.FileSet, src []byte, x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	if !ok || id.Obj == nil {
		return false
	}
	decl, ok := id.Obj.Decl.(ast.Node)
	if !ok {
		return false
	}
	return strings.Contains(exprText(fset, src, decl), "ValidationError")
}

func exprText(fset *token.FileSet, src []byte, n ast.Node) string {
	if n == nil {
		return ""
	}
	return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
}

// onlyVerbs matches a format with nothing to translate ("%s", "%v").
var onlyVerbs = regexp.MustCompile(`^(?:%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z]|[^\pL])*$`)

// TestValidationMessagesAreTranslated: every validation message the store
// can give has a French text, with the same verbs, so that a French page
// never marks a field in English. A new message needs its translation in
// web/locales/fr/validation.json.
func TestValidationMessagesAreTranslated(t *testing.T) {
	t.Parallel()
	formats := validationFormats(t)
	if len(formats) < 50 {
		t.Fatalf("only %d validation messages found in models and storage: is the search broken?", len(formats))
	}
	fr := map[string]string{}
	if raw, err := os.ReadFile("locales/fr/validation.json"); err != nil {
		t.Errorf("no French validation messages: %v", err)
	} else if err := json.Unmarshal(raw, &fr); err != nil {
		t.Fatalf("locales/fr/validation.json: %v", err)
	}
	keys := make([]string, 0, len(formats))
	for k := range formats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if onlyVerbs.MatchString(k) {
			continue
		}
		tr, ok := fr[k]
		switch {
		case !ok || tr == "":
			t.Errorf("%s: %q has no French in locales/fr/validation.json", formats[k], k)
		case verbs(tr) != verbs(k):
			t.Errorf("%q: the French %q has the verbs %s, the English %s", k, tr, verbs(tr), verbs(k))
		}
	}
	for k := range fr {
		if _, ok := formats[k]; !ok {
			t.Errorf("locales/fr/validation.json: %q is no message of models or storage", k)
		}
	}
}

var verb = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

// verbs are a format's verbs in argument order, whatever their place.
func verbs(format string) string {
	vs := verb.FindAllString(format, -1)
	sort.Strings(vs)
	return strings.Join(vs, " ")
}
