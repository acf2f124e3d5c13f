package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// This file is an independent, strict line-level validator for iCalendar
// output. It deliberately shares no code with the package or with go-ical:
// it re-reads the raw bytes and checks what RFC 5545 demands of them.

// icsLine is one unfolded content line.
type icsLine struct {
	num    int // physical line number where it starts (1-based)
	name   string
	params map[string][]string
	value  string
}

// textProps are TEXT-valued properties whose escaping is checked; the bool
// says whether the value is a comma-separated list.
var textProps = map[string]bool{
	"SUMMARY": false, "DESCRIPTION": false, "LOCATION": false, "NAME": false,
	"X-WR-CALNAME": false, "PRODID": false, "UID": false, "TZNAME": false,
	"TZID": false, "COMMENT": false, "CATEGORIES": true,
}

// dateProps hold DATE or DATE-TIME values whose syntax is checked; the bool
// says whether they must be UTC.
var dateProps = map[string]bool{
	"DTSTART": false, "DTEND": false, "RECURRENCE-ID": false, "EXDATE": false,
	"RDATE": false, "DTSTAMP": true, "CREATED": true, "LAST-MODIFIED": true,
}

// validateICS returns nil when data is a well-formed iCalendar object by the
// rules jointcal promises, or an error listing every problem found.
func validateICS(data []byte) error {
	var problems []string
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
	}
	if len(data) == 0 {
		return fmt.Errorf("empty output")
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		bad(0, "output does not end with CRLF")
	}
	phys := strings.Split(string(data), "\r\n")
	phys = phys[:len(phys)-1] // after the final CRLF
	var logical []icsLine
	var cur strings.Builder
	curStart := 0
	flush := func() {
		if curStart > 0 {
			if l, err := parseContentLine(cur.String()); err != nil {
				bad(curStart, "%v", err)
			} else {
				l.num = curStart
				logical = append(logical, l)
			}
		}
		cur.Reset()
	}
	for i, p := range phys {
		n := i + 1
		if strings.ContainsAny(p, "\r\n") {
			bad(n, "bare CR or LF inside a line")
		}
		if len(p) > 75 {
			bad(n, "%d octets, more than 75", len(p))
		}
		if !utf8.ValidString(p) {
			bad(n, "not valid UTF-8 on its own (split or invalid sequence): %q", p)
		}
		if p == "" {
			bad(n, "empty line")
			continue
		}
		if p[0] == ' ' || p[0] == '\t' {
			if p[0] == '\t' {
				bad(n, "continuation starts with HTAB, expected one space")
			}
			if curStart == 0 {
				bad(n, "continuation line with nothing to continue")
			}
			if len(p) == 1 {
				bad(n, "continuation line holds only the fold space")
			}
			cur.WriteString(p[1:])
			continue
		}
		flush()
		curStart = n
		cur.WriteString(p)
	}
	flush()

	checkStructure(logical, bad)
	if len(problems) > 0 {
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
		}
		return fmt.Errorf("invalid iCalendar:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

// parseContentLine splits name *(";" param) ":" value, checking the syntax of
// names and parameter values and the absence of control characters.
func parseContentLine(s string) (icsLine, error) {
	l := icsLine{params: map[string][]string{}}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return l, fmt.Errorf("control character %#x in %q", c, s)
		}
	}
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-') {
		i++
	}
	if i == 0 {
		return l, fmt.Errorf("no property name in %q", s)
	}
	l.name = s[:i]
	for i < len(s) && s[i] == ';' {
		i++
		j := i
		for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '-') {
			j++
		}
		if j == i || j >= len(s) || s[j] != '=' {
			return l, fmt.Errorf("malformed parameter name in %q", s)
		}
		pname := s[i:j]
		i = j + 1
		for {
			var v string
			if i < len(s) && s[i] == '"' {
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					return l, fmt.Errorf("unterminated quoted parameter value in %q", s)
				}
				v = s[i+1 : i+1+end]
				i += end + 2
			} else {
				j := i
				for j < len(s) && !strings.ContainsRune(";:,\"", rune(s[j])) {
					j++
				}
				v = s[i:j]
				i = j
			}
			l.params[pname] = append(l.params[pname], v)
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			break
		}
		if i >= len(s) || s[i] != ';' && s[i] != ':' {
			return l, fmt.Errorf("garbage after parameter %s in %q", pname, s)
		}
	}
	if i >= len(s) || s[i] != ':' {
		return l, fmt.Errorf("no colon before the value in %q", s)
	}
	l.value = s[i+1:]
	return l, nil
}

// checkText reports a TEXT value with an invalid escape or an unescaped
// separator.
func checkText(v string, list bool) error {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if i+1 >= len(v) || !strings.ContainsRune(`\;,nN`, rune(v[i+1])) {
				return fmt.Errorf("bad escape at %d in %q", i, v)
			}
			i++
		case ';':
			return fmt.Errorf("unescaped ';' at %d in %q", i, v)
		case ',':
			if !list {
				return fmt.Errorf("unescaped ',' at %d in %q", i, v)
			}
		}
	}
	return nil
}

// checkDateValue checks a DATE / DATE-TIME value against its parameters.
func checkDateValue(l icsLine, utcOnly bool) error {
	isDate := len(l.params["VALUE"]) == 1 && l.params["VALUE"][0] == "DATE"
	v := l.value
	digits := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	switch {
	case isDate:
		if len(v) != 8 || !digits(v) {
			return fmt.Errorf("%s: %q is not a DATE", l.name, v)
		}
		if len(l.params["TZID"]) > 0 {
			return fmt.Errorf("%s: DATE value with TZID", l.name)
		}
	default:
		utc := strings.HasSuffix(v, "Z")
		body := strings.TrimSuffix(v, "Z")
		if len(body) != 15 || body[8] != 'T' || !digits(body[:8]) || !digits(body[9:]) {
			return fmt.Errorf("%s: %q is not a DATE-TIME", l.name, v)
		}
		if utc && len(l.params["TZID"]) > 0 {
			return fmt.Errorf("%s: UTC value with TZID", l.name)
		}
		if utcOnly && !utc {
			return fmt.Errorf("%s: %q must be UTC", l.name, v)
		}
		if !utc && len(l.params["TZID"]) == 0 && l.name != "DTSTART" {
			return fmt.Errorf("%s: floating time %q", l.name, v)
		}
	}
	return nil
}

// checkStructure checks nesting and the required properties of each
// component, TEXT escaping, date syntax and that every TZID referenced has its
// VTIMEZONE.
func checkStructure(lines []icsLine, bad func(int, string, ...any)) {
	type comp struct {
		name     string
		line     int
		counts   map[string]int
		children map[string]int
		parent   string
	}
	var stack []*comp
	tzDefined := map[string]bool{}
	tzUsed := map[string]int{}
	topLevel := 0
	for _, l := range lines {
		switch l.name {
		case "BEGIN":
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1].name
				stack[len(stack)-1].children[l.value]++
			} else {
				topLevel++
				if l.value != "VCALENDAR" || topLevel > 1 {
					bad(l.num, "top-level BEGIN:%s (want exactly one VCALENDAR)", l.value)
				}
			}
			stack = append(stack, &comp{name: l.value, line: l.num, counts: map[string]int{}, children: map[string]int{}, parent: parent})
			continue
		case "END":
			if len(stack) == 0 {
				bad(l.num, "END:%s without BEGIN", l.value)
				continue
			}
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if c.name != l.value {
				bad(l.num, "END:%s closes BEGIN:%s of line %d", l.value, c.name, c.line)
			}
			need := map[string][]string{
				"VCALENDAR": {"VERSION", "PRODID"},
				"VEVENT":    {"UID", "DTSTAMP", "DTSTART"},
				"VTIMEZONE": {"TZID"},
				"STANDARD":  {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"},
				"DAYLIGHT":  {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"},
				"VALARM":    {"ACTION", "TRIGGER"},
			}[c.name]
			for _, p := range need {
				if c.counts[p] != 1 {
					bad(c.line, "%s has %d %s properties, want exactly 1", c.name, c.counts[p], p)
				}
			}
			if c.name == "VTIMEZONE" && c.children["STANDARD"]+c.children["DAYLIGHT"] == 0 {
				bad(c.line, "VTIMEZONE without STANDARD or DAYLIGHT")
			}
			if c.name == "VEVENT" && c.counts["DTEND"] > 0 && c.counts["DURATION"] > 0 {
				bad(c.line, "VEVENT with both DTEND and DURATION")
			}
			continue
		}
		if len(stack) == 0 {
			bad(l.num, "property %s outside any component", l.name)
			continue
		}
		c := stack[len(stack)-1]
		c.counts[l.name]++
		if c.name == "VCALENDAR" && l.name == "VERSION" && l.value != "2.0" {
			bad(l.num, "VERSION:%s, want 2.0", l.value)
		}
		if c.name == "VTIMEZONE" && l.name == "TZID" {
			tzDefined[l.value] = true
		}
		if list, ok := textProps[l.name]; ok {
			if err := checkText(l.value, list); err != nil {
				bad(l.num, "%s: %v", l.name, err)
			}
		}
		if utcOnly, ok := dateProps[l.name]; ok && c.name != "STANDARD" && c.name != "DAYLIGHT" {
			if err := checkDateValue(l, utcOnly); err != nil {
				bad(l.num, "%v", err)
			}
		}
		for _, tz := range l.params["TZID"] {
			if _, seen := tzUsed[tz]; !seen {
				tzUsed[tz] = l.num
			}
		}
	}
	for _, c := range stack {
		bad(c.line, "BEGIN:%s never ended", c.name)
	}
	for tz, line := range tzUsed {
		if !tzDefined[tz] {
			bad(line, "TZID=%s referenced but no VTIMEZONE defines it", tz)
		}
	}
	if topLevel == 0 {
		bad(0, "no VCALENDAR")
	}
}

// TestValidatorCatches proves the validator fails on each kind of breakage
// it claims to detect, so that its passing elsewhere means something.
func TestValidatorCatches(t *testing.T) {
	t.Parallel()
	good := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" +
		"BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Brussels:20240101T100000\r\nSUMMARY:a\\, b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if err := validateICS([]byte(good)); err != nil {
		t.Fatalf("valid input rejected: %v", err)
	}
	long := "SUMMARY:" + strings.Repeat("x", 70) + "\r\n"
	split := "SUMMARY:" + strings.Repeat("x", 66) + "\xc3\r\n \xa9\r\n"
	tests := []struct {
		name, from, to string
	}{
		{"LF only", "VERSION:2.0\r\n", "VERSION:2.0\n"},
		{"no final CRLF", "END:VCALENDAR\r\n", "END:VCALENDAR"},
		{"line over 75 octets", "SUMMARY:a\\, b\r\n", long},
		{"split UTF-8", "SUMMARY:a\\, b\r\n", split},
		{"tab continuation", "SUMMARY:a\\, b\r\n", "SUMMARY:a\r\n\tb\r\n"},
		{"empty continuation", "SUMMARY:a\\, b\r\n", "SUMMARY:a\r\n \r\n"},
		{"unbalanced", "END:VEVENT\r\n", ""},
		{"mismatched END", "END:VEVENT\r\n", "END:VTODO\r\n"},
		{"missing UID", "UID:1\r\n", ""},
		{"missing DTSTAMP", "DTSTAMP:20240101T000000Z\r\n", ""},
		{"missing DTSTART", "DTSTART;TZID=Europe/Brussels:20240101T100000\r\n", ""},
		{"missing VERSION", "VERSION:2.0\r\n", ""},
		{"missing PRODID", "PRODID:x\r\n", ""},
		{"unknown TZID", "TZID=Europe/Brussels:2024", "TZID=Europe/Paris:2024"},
		{"unescaped comma", "SUMMARY:a\\, b", "SUMMARY:a, b"},
		{"unescaped semicolon", "SUMMARY:a\\, b", "SUMMARY:a; b"},
		{"bad escape", "SUMMARY:a\\, b", "SUMMARY:a\\x b"},
		{"control character", "SUMMARY:a\\, b", "SUMMARY:a\x01b"},
		{"bad date-time", "DTSTAMP:20240101T000000Z", "DTSTAMP:2024-01-01"},
		{"non-UTC DTSTAMP", "DTSTAMP:20240101T000000Z", "DTSTAMP:20240101T000000"},
		{"empty VTIMEZONE", "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(good, tc.from) {
				t.Fatalf("test bug: %q not in the good input", tc.from)
			}
			broken := strings.Replace(good, tc.from, tc.to, 1)
			if err := validateICS([]byte(broken)); err == nil {
				t.Errorf("validator accepted:\n%s", broken)
			}
		})
	}
}
