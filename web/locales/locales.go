// Package locales holds the pages' message catalogues (one directory per
// language, one JSON file per part of the application) and the choice of a
// page's language. It is a package of its own so that the pages (web) and
// the sign-in link page the API serves speak from the same catalogues.
package locales

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Language is one the pages are written in.
type Language string

// The languages of the pages; English is the fallback.
const (
	English Language = "en"
	French  Language = "fr"
)

// Languages are every language of the pages, English first.
var Languages = []Language{English, French}

// ValidationFile is the name, in a language's directory, of the
// translations of the store's validation messages: keyed by their English
// format string (gettext style), so English has no such file. They are
// kept apart from the page messages, whose keys are names.
const ValidationFile = "validation.json"

//go:embed en fr
var files embed.FS

// Catalogues hold one flat message table per language: key → text, with
// fmt verbs for the arguments.
type Catalogues map[Language]map[string]string

// Load returns the page messages of every language. The embedded files
// are read once per process and the tables shared by every caller (the
// pages, the API's sign-in link page), which must not change them.
func Load() (Catalogues, error) { return pages() }

// LoadValidation returns the translations of the store's validation
// messages: English format → the language's format; read once, shared,
// like Load's.
func LoadValidation() (Catalogues, error) { return validation() }

var (
	pages      = sync.OnceValues(func() (Catalogues, error) { return load(func(name string) bool { return name != ValidationFile }) })
	validation = sync.OnceValues(func() (Catalogues, error) { return load(func(name string) bool { return name == ValidationFile }) })
)

func load(keep func(name string) bool) (Catalogues, error) {
	cat := Catalogues{}
	for _, l := range Languages {
		names, err := fs.Glob(files, string(l)+"/*.json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, f := range names {
			if !keep(f[strings.LastIndexByte(f, '/')+1:]) {
				continue
			}
			if err := merge(m, f); err != nil {
				return nil, err
			}
		}
		cat[l] = m
	}
	return cat, nil
}

func merge(into map[string]string, file string) error {
	raw, err := files.ReadFile(file)
	if err != nil {
		return err
	}
	part := map[string]string{}
	if err := json.Unmarshal(raw, &part); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for k, v := range part {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %q is defined twice", file, k)
		}
		into[k] = v
	}
	return nil
}

// Text is the message key in l, else in English, else the key itself
// (which a test forbids from reaching a page).
func (c Catalogues) Text(l Language, key string, args ...any) string {
	s, ok := c[l][key]
	if !ok {
		s, ok = c[English][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Negotiate picks the page language from an Accept-Language header
// (RFC 9110 §12.5.4): the acceptable language with the highest weight,
// English when none is.
func Negotiate(header string) Language {
	type choice struct {
		lang Language
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if l, ok := Parse(primary); ok && q > 0 {
			choices = append(choices, choice{l, q})
		}
	}
	if len(choices) == 0 {
		return English
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	return choices[0].lang
}

// Parse is the language a code ("fr") names, if the pages have it.
func Parse(code string) (Language, bool) {
	for _, l := range Languages {
		if string(l) == code {
			return l, true
		}
	}
	return "", false
}
