package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Language is one the pages are written in.
type Language string

// The languages of the pages; English is the fallback.
const (
	English Language = "en"
	French  Language = "fr"
)

//go:embed locales
var localeFiles embed.FS

// catalogues hold one flat message table per language: key → text, with
// fmt verbs for the arguments. A language is a directory
// (locales/fr/), with one file per part of the application, so that a
// translator sees a page's messages together.
type catalogues map[Language]map[string]string

func loadCatalogues() (catalogues, error) {
	cat := catalogues{}
	for _, l := range []Language{English, French} {
		files, err := fs.Glob(localeFiles, "locales/"+string(l)+"/*.json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, f := range files {
			raw, err := localeFiles.ReadFile(f)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(raw, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("%s: %q is defined twice", f, k)
				}
				m[k] = v
			}
		}
		cat[l] = m
	}
	return cat, nil
}

// text is the message key in l, else in English, else the key itself
// (which a test forbids from reaching a page).
func (c catalogues) text(l Language, key string, args ...any) string {
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

// negotiate picks the page language from an Accept-Language header
// (RFC 9110 §12.5.4): the acceptable language with the highest weight,
// English when none is.
func negotiate(header string) Language {
	type choice struct {
		lang Language
		q    float64
		pos  int
	}
	var choices []choice
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		switch Language(primary) {
		case English, French:
			if q > 0 {
				choices = append(choices, choice{Language(primary), q, i})
			}
		}
	}
	if len(choices) == 0 {
		return English
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	return choices[0].lang
}

var (
	frenchDays   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// formatDate writes a day as people of the language write it:
// "Tuesday 23 March 2021", "mardi 23 mars 2021".
func formatDate(l Language, t time.Time) string {
	if l == French {
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return frenchDays[t.Weekday()] + " " + day + " " + frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// formatShortDate is a day in a table: "Tue 23 Mar", "mar. 23 mars".
func formatShortDate(l Language, t time.Time) string {
	if l == French {
		return frenchDays[t.Weekday()][:3] + ". " + strconv.Itoa(t.Day()) + " " + frenchMonths[t.Month()-1]
	}
	return t.Format("Mon 2 Jan")
}

// formatTime is a time of day; both languages use 24 hours in the two
// organisations' staffs ("15:00", "15 h 00" is not used in their papers).
func formatTime(t time.Time) string { return t.Format("15:04") }

// formatMonth names a month: "March 2021", "mars 2021".
func formatMonth(l Language, t time.Time) string {
	if l == French {
		return frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("January 2006")
}
