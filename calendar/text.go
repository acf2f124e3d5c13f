package calendar

import "unicode/utf8"

// This file holds the value encodings of RFC 5545 content lines: TEXT
// escaping (section 3.3.11), parameter values (section 3.2 with RFC 6868),
// and the sanitising every caller-supplied string goes through so that the
// output is valid UTF-8 without forbidden control characters. Each function
// copies runs of bytes that need nothing in one append: this is the hottest
// code of a feed render.

const replacementChar = "\uFFFD"

// Sets of ASCII bytes that end a plain run, as 128-bit masks (lo: bytes
// 0-63, hi: 64-127): the control characters RFC 5545 forbids (all below 0x20
// except HTAB, and DEL) plus each encoding's own special characters.
const (
	ctlLo = (1<<0x20 - 1) &^ (1 << '\t')
	ctlHi = 1 << (0x7f - 64)

	textLo, textHi   = ctlLo | 1<<';' | 1<<',', ctlHi | 1<<('\\'-64) // TEXT: \ ; ,
	paramLo, paramHi = ctlLo | 1<<'"', ctlHi | 1<<('^'-64)           // RFC 6868: ^ "
	rawLo, rawHi     = ctlLo, ctlHi                                  // URI, RRULE
)

// plainRun returns the end of the run starting at s[i] of bytes that are
// written unchanged: ASCII bytes outside the set (lo, hi) and valid
// multi-byte UTF-8 sequences.
func plainRun(s string, i int, lo, hi uint64) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			set := lo
			if c >= 64 {
				set = hi
			}
			if set>>(c&63)&1 != 0 {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}

// appendText appends s as an escaped TEXT value: backslash, semicolon and
// comma are backslash-escaped, a newline (LF, CR LF or a lone CR) becomes
// "\n", other control characters except HTAB are dropped and invalid UTF-8
// bytes become U+FFFD, one per byte.
func appendText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		j := plainRun(s, i, textLo, textHi)
		b = append(b, s[i:j]...)
		if j == len(s) {
			break
		}
		switch c := s[j]; {
		case c == '\\' || c == ';' || c == ',':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'n')
			if j+1 < len(s) && s[j+1] == '\n' {
				j++
			}
		case c >= utf8.RuneSelf:
			b = append(b, replacementChar...)
		}
		i = j + 1
	}
	return b
}

// appendParamValue appends s as a parameter value (CN, for instance). RFC 6868
// caret encoding carries what a parameter cannot hold: "^" becomes "^^", a
// newline "^n" and a double quote "^'". The value is double-quoted when it
// contains ":", ";" or ",". Control characters other than HTAB are dropped and
// invalid UTF-8 becomes U+FFFD.
func appendParamValue(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ':' || c == ';' || c == ',' {
			quote = true
			break
		}
	}
	if quote {
		b = append(b, '"')
	}
	for i := 0; i < len(s); {
		j := plainRun(s, i, paramLo, paramHi)
		b = append(b, s[i:j]...)
		if j == len(s) {
			break
		}
		switch c := s[j]; {
		case c == '^':
			b = append(b, '^', '^')
		case c == '"':
			b = append(b, '^', '\'')
		case c == '\n':
			b = append(b, '^', 'n')
		case c == '\r':
			b = append(b, '^', 'n')
			if j+1 < len(s) && s[j+1] == '\n' {
				j++
			}
		case c >= utf8.RuneSelf:
			b = append(b, replacementChar...)
		}
		i = j + 1
	}
	if quote {
		b = append(b, '"')
	}
	return b
}

// appendRaw appends a value that is not TEXT (a URI, a recurrence rule) with
// control characters dropped and invalid UTF-8 replaced, so that whatever the
// caller passes, the content line stays one valid line.
func appendRaw(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		j := plainRun(s, i, rawLo, rawHi)
		b = append(b, s[i:j]...)
		if j == len(s) {
			break
		}
		if s[j] >= utf8.RuneSelf {
			b = append(b, replacementChar...)
		}
		i = j + 1
	}
	return b
}
