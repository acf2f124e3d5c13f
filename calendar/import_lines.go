package calendar

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file turns the input's bytes into content lines (RFC 5545 section
// 3.1): line ends, unfolding, the property name, parameters and value. It is
// written for speed (a 10,000-event file has some 400,000 lines): the input
// is one string, and a line that is not folded is sliced from it without a
// copy.

// contentLine is one unfolded content line.
type contentLine struct {
	line   int    // 1-based physical line it starts on
	name   string // property name, upper case
	params []lineParam
	value  string // raw value, still escaped
}

// lineParam is one parameter; value has its quotes removed and RFC 6868
// caret escapes decoded. A list value ("a","b") is kept as written without
// the quotes: a,b.
type lineParam struct {
	name, value string
}

// param returns the value of the named parameter (name in upper case).
func (cl *contentLine) param(name string) (string, bool) {
	for _, p := range cl.params {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// lineReader yields the logical (unfolded) lines of the input.
type lineReader struct {
	data   string
	pos    int
	line   int  // physical line number of the line starting at pos
	crOnly bool // the input has no LF: lines end with CR alone
	buf    []byte
}

func newLineReader(data string) *lineReader {
	s := strings.TrimPrefix(data, "\uFEFF")
	return &lineReader{data: s, line: 1, crOnly: strings.IndexByte(s, '\n') < 0}
}

// physical returns the next physical line without its line end.
func (lr *lineReader) physical() (string, bool) {
	if lr.pos >= len(lr.data) {
		return "", false
	}
	rest := lr.data[lr.pos:]
	sep := byte('\n')
	if lr.crOnly {
		sep = '\r'
	}
	i := strings.IndexByte(rest, sep)
	var text string
	if i < 0 {
		text = rest
		lr.pos = len(lr.data)
	} else {
		text = rest[:i]
		lr.pos += i + 1
	}
	if !lr.crOnly && len(text) > 0 && text[len(text)-1] == '\r' {
		text = text[:len(text)-1]
	}
	lr.line++
	return text, true
}

// peekContinuation reports whether the next physical line is a folded
// continuation (starts with a space or a horizontal tab).
func (lr *lineReader) peekContinuation() bool {
	return lr.pos < len(lr.data) && (lr.data[lr.pos] == ' ' || lr.data[lr.pos] == '\t')
}

// next returns the next non-empty logical line and the physical line it
// starts on. A continuation line with nothing before it is reported as an
// error.
func (lr *lineReader) next() (string, int, *ImportError) {
	for {
		start := lr.line
		text, ok := lr.physical()
		if !ok {
			return "", 0, nil
		}
		if text == "" {
			continue
		}
		if text[0] == ' ' || text[0] == '\t' {
			if strings.TrimLeft(text, " \t") == "" {
				continue // a blank line made of white space
			}
			return "", 0, &ImportError{Line: start, Message: fmt.Sprintf("line %s starts with white space (a folded continuation) but follows no content line", quoteShort(text))}
		}
		if !lr.peekContinuation() {
			return text, start, nil
		}
		lr.buf = append(lr.buf[:0], text...)
		for lr.peekContinuation() {
			cont, _ := lr.physical()
			lr.buf = append(lr.buf, cont[1:]...)
		}
		return string(lr.buf), start, nil
	}
}

// splitContentLine splits an unfolded line into name, parameters and value:
//
//	name *(";" param-name "=" param-value *("," param-value)) ":" value
//
// A parameter without "=" is accepted with an empty value (a vCalendar 1.0
// habit); anything else off the grammar is an error quoting the line.
func splitContentLine(text string, line int, arena *lineArena) (contentLine, *ImportError) {
	var i int
	fail := func(why string) (contentLine, *ImportError) {
		return contentLine{}, &ImportError{Line: line, Message: fmt.Sprintf("not an iCalendar content line (%s): %s", why, excerptAt(text, i))}
	}
	i = nameEnd(text, 0)
	if i == 0 {
		return fail("it must start with a property name")
	}
	cl := contentLine{line: line, name: upperASCII(text[:i])}
	var buf [8]lineParam
	params := buf[:0]
	for {
		if i >= len(text) {
			return fail("no colon before the value")
		}
		switch text[i] {
		case ':':
			cl.value = text[i+1:]
			cl.params = arena.keep(params)
			return cl, nil
		case ';':
		default:
			return fail(fmt.Sprintf("unexpected %q after %s", text[i], text[:i]))
		}
		i++
		j := nameEnd(text, i)
		if j == i {
			return fail(fmt.Sprintf("a parameter has no name at byte %d", i+1))
		}
		p := lineParam{name: upperASCII(text[i:j])}
		i = j
		if i < len(text) && text[i] == '=' {
			i++
			start, quoted := i, false
			for {
				if i < len(text) && text[i] == '"' {
					k := strings.IndexByte(text[i+1:], '"')
					if k < 0 {
						return fail("a quoted parameter value is not closed")
					}
					quoted = true
					i += k + 2
				} else {
					for i < len(text) && text[i] != ';' && text[i] != ':' && text[i] != ',' {
						i++
					}
				}
				if i < len(text) && text[i] == ',' {
					i++
					continue
				}
				break
			}
			p.value = text[start:i]
			if quoted {
				// A quoted value cannot hold a double quote, so dropping
				// every quote leaves exactly the values and their commas.
				p.value = strings.ReplaceAll(p.value, `"`, "")
			}
			if strings.IndexByte(p.value, '^') >= 0 {
				p.value = decodeCaret(p.value)
			}
		}
		params = append(params, p)
	}
}

// lineArena hands out the properties and parameters of the kept
// components from large shared blocks instead of one growing slice each:
// a 10,000-event file has some 400,000 of them.
type lineArena struct {
	props  []contentLine
	params []lineParam
}

const arenaBlock = 4096

// keep copies params into the arena; a nil arena allocates.
func (a *lineArena) keep(params []lineParam) []lineParam {
	if len(params) == 0 {
		return nil
	}
	if a == nil {
		return append([]lineParam(nil), params...)
	}
	if cap(a.params)-len(a.params) < len(params) {
		a.params = make([]lineParam, 0, max(arenaBlock, len(params)))
	}
	start := len(a.params)
	a.params = append(a.params, params...)
	return a.params[start:len(a.params):len(a.params)]
}

// keepProps copies a finished component's properties into the arena.
func (a *lineArena) keepProps(props []contentLine) []contentLine {
	if len(props) == 0 {
		return nil
	}
	if cap(a.props)-len(a.props) < len(props) {
		a.props = make([]contentLine, 0, max(arenaBlock, len(props)))
	}
	start := len(a.props)
	a.props = append(a.props, props...)
	return a.props[start:len(a.props):len(a.props)]
}

// nameEnd returns the end of the iana-token or x-name (letters, digits and
// "-") starting at i.
func nameEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			break
		}
		i++
	}
	return i
}

// upperASCII upper-cases s without allocating when it already is.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// decodeCaret undoes RFC 6868: ^n is a newline, ^^ a caret, ^' a double
// quote; a caret before anything else stays as it is.
func decodeCaret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '^' && i+1 < len(s) {
			switch s[i+1] {
			case 'n', 'N':
				b.WriteByte('\n')
				i++
				continue
			case '^':
				b.WriteByte('^')
				i++
				continue
			case '\'':
				b.WriteByte('"')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cleanText returns a value ready for the caller: TEXT escapes undone when
// escaped is set (\n and \N a newline, \\ \; \, the character; a backslash
// before anything else is dropped), invalid UTF-8 replaced by U+FFFD, CR LF
// and lone CR made LF, and other control characters except tab dropped
// (PostgreSQL refuses NUL in text, and no client shows the others).
func cleanText(s string, escaped bool) string {
	if plainText(s, escaped) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && escaped:
			if i+1 == len(s) {
				i++
				continue
			}
			switch n := s[i+1]; n {
			case 'n', 'N':
				b = append(b, '\n')
			default:
				if n < utf8.RuneSelf {
					if n >= 0x20 && n != 0x7f || n == '\t' {
						b = append(b, n)
					}
				} else {
					i++ // let the next round copy (or replace) the character
					continue
				}
			}
			i += 2
		case c == '\r':
			b = append(b, '\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			i++
		case c < 0x20 && c != '\t' && c != '\n' || c == 0x7f:
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, replacementChar...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	return string(b)
}

// plainText reports whether cleanText would return s unchanged.
func plainText(s string, escaped bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f || c == '\\' && escaped || c >= utf8.RuneSelf {
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && size == 1 {
					return false
				}
				i += size - 1
				continue
			}
			return false
		}
	}
	return true
}

// splitTextList splits an escaped TEXT list (CATEGORIES) on the commas that
// are not escaped; the parts are still escaped.
func splitTextList(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// excerptAt quotes the part of a line around byte i, where a problem was
// found, so that a long line's message shows the offending part rather
// than only its start: "X-ADDRESS=Rue de la Loi 175\\; 1048 Bruxelles".
func excerptAt(s string, i int) string {
	const before, after = 40, 40
	if len(s) <= before+after {
		return quoteShort(s)
	}
	lo, hi := max(0, i-before), min(len(s), i+after)
	for lo > 0 && !utf8.RuneStart(s[lo]) {
		lo--
	}
	for hi < len(s) && !utf8.RuneStart(s[hi]) {
		hi++
	}
	out := fmt.Sprintf("%q", s[lo:hi])
	if lo > 0 {
		out = "…" + out
	}
	if hi < len(s) {
		out += "…"
	}
	return out
}

// quoteShort quotes s for a message, cut to 80 bytes so that one huge
// garbage line does not make a huge error.
func quoteShort(s string) string {
	const limit = 80
	if len(s) <= limit {
		return fmt.Sprintf("%q", s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", s[:cut])
}
