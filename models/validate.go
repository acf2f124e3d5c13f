package models

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jointcal/jointcal/planning"
)

var codePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,31}$`)

// CheckCode validates a short unique code such as EU, NAC or NATO-HQ;
// codes never look like ids so that a Ref is unambiguous.
func CheckCode(v *ValidationError, field, code string) {
	if !codePattern.MatchString(code) {
		v.Add(field, "want 1 to 32 letters, digits, '_', '.' or '-', starting with a letter")
	}
}

// CheckText validates a required or optional free-text field.
func CheckText(v *ValidationError, field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "at most %d characters", max)
	}
}

// CheckEmail validates an e-mail address (empty allowed when optional).
func CheckEmail(v *ValidationError, field, s string, required bool) {
	if s == "" {
		if required {
			v.Add(field, "is required")
		}
		return
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		v.Add(field, "not a plain e-mail address such as name@example.org")
	}
}

// CheckZone validates an IANA time zone name; Go's embedded database is
// the reference, so the answer never depends on the host.
func CheckZone(v *ValidationError, field, tz string, required bool) {
	if tz == "" {
		if required {
			v.Add(field, "is required (an IANA time zone such as Europe/Brussels)")
		}
		return
	}
	if _, err := planning.LoadZone(tz); err != nil { // refuses "Local" too
		v.Add(field, "unknown IANA time zone %q", tz)
	}
}

// CheckEnum validates a value against its allowed set.
func CheckEnum(v *ValidationError, field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.Add(field, "want one of %s", strings.Join(allowed, ", "))
}
