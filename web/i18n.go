package web

import (
	"strconv"
	"time"

	"github.com/jointcal/jointcal/web/locales"
)

// Language is one the pages are written in (locales.Language).
type Language = locales.Language

// The languages of the pages; English is the fallback.
const (
	English = locales.English
	French  = locales.French
)

// catalogues are the page messages of every language (web/locales).
type catalogues = locales.Catalogues

// negotiate picks the page language from an Accept-Language header.
func negotiate(header string) Language { return locales.Negotiate(header) }

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
