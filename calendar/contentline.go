package calendar

import (
	"bufio"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// maxLineOctets is RFC 5545 section 3.1's limit: "Lines of text SHOULD NOT be
// longer than 75 octets, excluding the line break."
const maxLineOctets = 75

// lineWriter assembles one content line at a time in a reused buffer and
// writes it folded and CRLF-terminated. It exists because go-ical's Encoder
// does not fold, and because writing lines straight from the events is what
// keeps a 10,000-event feed inside its time budget. Write errors are kept by
// the bufio.Writer and reported by its Flush.
type lineWriter struct {
	w   *bufio.Writer
	buf []byte
}

// begin starts a new content line with the given property name (and,
// optionally, literal parameters and the colon).
func (lw *lineWriter) begin(prefix string) {
	lw.buf = append(lw.buf[:0], prefix...)
}

// end writes the assembled line.
func (lw *lineWriter) end() {
	writeFolded(lw.w, lw.buf)
}

// literal writes a content line that is already known to be valid.
func (lw *lineWriter) literal(line string) {
	lw.begin(line)
	lw.end()
}

// text writes "prefix" followed by s as an escaped TEXT value.
func (lw *lineWriter) text(prefix, s string) {
	lw.begin(prefix)
	lw.buf = appendText(lw.buf, s)
	lw.end()
}

// raw writes "prefix" followed by a non-TEXT value.
func (lw *lineWriter) raw(prefix, s string) {
	lw.begin(prefix)
	lw.buf = appendRaw(lw.buf, s)
	lw.end()
}

// writeFolded writes line as one or more physical lines of at most 75 octets
// each (the leading space of a continuation line included), cutting only
// before the first byte of a UTF-8 sequence, each ended by CRLF. line must be
// valid UTF-8, which the append helpers guarantee.
func writeFolded(w *bufio.Writer, line []byte) {
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.Write(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLineOctets - 1
	}
	w.Write(line)
	w.WriteString("\r\n")
}

// writeComponent writes a go-ical component tree (a VTIMEZONE from
// VTimezone, for instance) through the folding writer. Property and parameter
// names are written in sorted order, as go-ical's own Encoder does, so the
// output is deterministic. Values are taken as already encoded (go-ical's
// convention); a value holding CR or LF, or a parameter value holding a double
// quote or a control character, is an error rather than a broken line.
func (lw *lineWriter) writeComponent(comp *ical.Component) error {
	lw.literal("BEGIN:" + comp.Name)
	names := make([]string, 0, len(comp.Props))
	for name := range comp.Props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, prop := range comp.Props[name] {
			if err := lw.writeProp(comp.Name, &prop); err != nil {
				return err
			}
		}
	}
	for _, child := range comp.Children {
		if err := lw.writeComponent(child); err != nil {
			return err
		}
	}
	lw.literal("END:" + comp.Name)
	return nil
}

// writeProp writes one go-ical property; see writeComponent.
func (lw *lineWriter) writeProp(compName string, prop *ical.Prop) error {
	lw.begin(prop.Name)
	params := make([]string, 0, len(prop.Params))
	for name := range prop.Params {
		params = append(params, name)
	}
	sort.Strings(params)
	for _, name := range params {
		lw.buf = append(lw.buf, ';')
		lw.buf = append(lw.buf, name...)
		lw.buf = append(lw.buf, '=')
		for i, v := range prop.Params[name] {
			if i > 0 {
				lw.buf = append(lw.buf, ',')
			}
			if strings.ContainsFunc(v, func(r rune) bool { return r == '"' || r < 0x20 && r != '\t' || r == 0x7f }) || !utf8.ValidString(v) {
				return fmt.Errorf("calendar: %s property %s parameter %s value %q cannot be written (double quote, control character or invalid UTF-8)", compName, prop.Name, name, v)
			}
			if strings.ContainsAny(v, ";:,") {
				lw.buf = append(lw.buf, '"')
				lw.buf = append(lw.buf, v...)
				lw.buf = append(lw.buf, '"')
			} else {
				lw.buf = append(lw.buf, v...)
			}
		}
	}
	lw.buf = append(lw.buf, ':')
	if strings.ContainsAny(prop.Value, "\r\n") || !utf8.ValidString(prop.Value) {
		return fmt.Errorf("calendar: %s property %s value %q cannot be written (CR, LF or invalid UTF-8)", compName, prop.Name, prop.Value)
	}
	lw.buf = append(lw.buf, prop.Value...)
	lw.end()
	return nil
}
