package calendar

import (
	"fmt"
	"strings"
)

// This file checks the input's structure (BEGIN/END balance, where
// components may appear, the event limit) and keeps only the components the
// import reads: VEVENT with its VALARMs, VTIMEZONE with its STANDARD and
// DAYLIGHT observances, and the VCALENDAR properties. Everything else (VTODO,
// VJOURNAL, VFREEBUSY, X- components and what they contain) is checked for
// balance and dropped.

// component is a kept component with its properties and kept children.
type component struct {
	name     string
	line     int // line of its BEGIN
	props    []contentLine
	children []*component
	// bad is the first line of a property the import reads that could not
	// be split into name, parameters and value; it fails the component.
	bad *ImportError
}

// tree is what readTree keeps of the input.
type tree struct {
	calProps  []contentLine
	events    []*component
	timezones []*component
	// warnings are the lines skipped because they could not be read and
	// belong to properties the import does not use.
	warnings []ImportError
}

// openComponent is one entry of the BEGIN stack.
type openComponent struct {
	name  string
	line  int
	comp  *component    // nil when the component is dropped
	props []contentLine // the kept component's properties so far
}

// topLevelOnly are the components RFC 5545 allows only directly inside
// VCALENDAR; finding one elsewhere almost always means a missing END, which
// is better reported than silently nesting the rest of the file.
func topLevelOnly(name string) bool {
	switch name {
	case "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VCALENDAR":
		return true
	}
	return false
}

// keptChild reports whether a child component is read by the import.
func keptChild(parent, child string) bool {
	switch parent {
	case "VEVENT":
		return child == "VALARM"
	case "VTIMEZONE":
		return child == "STANDARD" || child == "DAYLIGHT"
	}
	return false
}

// readTree reads the whole input. maxEvents bounds the VEVENT count.
func readTree(data string, maxEvents int) (*tree, *ImportError) {
	if len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
		return nil, &ImportError{Message: "the input is UTF-16 (it starts with a UTF-16 byte order mark); iCalendar must be UTF-8"}
	}
	lr := newLineReader(data)
	t := &tree{}
	var arena lineArena
	// The stack's entries keep their props buffers between components of
	// the same depth, so those are allocated once per depth.
	var stack []openComponent
	calendars, events := 0, 0
	for {
		text, line, ierr := lr.next()
		if ierr != nil {
			return nil, ierr
		}
		if text == "" {
			break
		}
		cl, ierr := splitContentLine(text, line, &arena)
		if ierr != nil {
			name, ok := propertyName(text)
			if !ok || len(stack) == 0 {
				return nil, ierr
			}
			// A line that names a property but whose parameters are off
			// the grammar (iOS writes "\\;" inside unquoted X-ADDRESS
			// values): only a property the import reads may fail, and then
			// only the component it is in.
			top := &stack[len(stack)-1]
			if top.comp != nil && readProperty(top.name, name) {
				if top.comp.bad == nil {
					top.comp.bad = ierr
				}
			} else {
				ierr.Message = fmt.Sprintf("%s skipped: %s", name, ierr.Message)
				t.warnings = append(t.warnings, *ierr)
			}
			continue
		}
		switch cl.name {
		case "BEGIN":
			name := upperASCII(strings.TrimSpace(cl.value))
			if nameEnd(name, 0) != len(name) || name == "" {
				return nil, &ImportError{Line: line, Message: fmt.Sprintf("BEGIN:%s does not name a component", quoteShort(cl.value))}
			}
			if len(stack) == 0 {
				if name != "VCALENDAR" {
					return nil, &ImportError{Line: line, Message: fmt.Sprintf("BEGIN:%s outside a VCALENDAR (the file must start with BEGIN:VCALENDAR)", name)}
				}
				calendars++
				stack = push(stack, openComponent{name: name, line: line})
				continue
			}
			parent := stack[len(stack)-1]
			if topLevelOnly(name) && parent.name != "VCALENDAR" || name == "VCALENDAR" {
				return nil, &ImportError{Line: line, Message: fmt.Sprintf("BEGIN:%s inside %s (opened at line %d): is END:%s missing?", name, parent.name, parent.line, parent.name)}
			}
			oc := openComponent{name: name, line: line}
			switch {
			case parent.name == "VCALENDAR" && name == "VEVENT":
				events++
				if events > maxEvents {
					return nil, &ImportError{Line: line, Message: fmt.Sprintf("more than %d VEVENT components (MaxEvents)", maxEvents)}
				}
				oc.comp = &component{name: name, line: line}
				t.events = append(t.events, oc.comp)
			case parent.name == "VCALENDAR" && name == "VTIMEZONE":
				oc.comp = &component{name: name, line: line}
				t.timezones = append(t.timezones, oc.comp)
			case parent.comp != nil && keptChild(parent.name, name):
				oc.comp = &component{name: name, line: line}
				parent.comp.children = append(parent.comp.children, oc.comp)
			}
			stack = push(stack, oc)
		case "END":
			name := upperASCII(strings.TrimSpace(cl.value))
			if len(stack) == 0 {
				return nil, &ImportError{Line: line, Message: fmt.Sprintf("END:%s without a matching BEGIN", quoteShort(cl.value))}
			}
			top := stack[len(stack)-1]
			if name != top.name {
				if nameEnd(name, 0) != len(name) {
					name = quoteShort(name)
				}
				return nil, &ImportError{Line: line, Message: fmt.Sprintf("END:%s does not close BEGIN:%s of line %d", name, top.name, top.line)}
			}
			if top.comp != nil {
				top.comp.props = arena.keepProps(top.props)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, &ImportError{Line: line, Message: fmt.Sprintf("property %s outside a VCALENDAR (the file must start with BEGIN:VCALENDAR)", cl.name)}
			}
			top := &stack[len(stack)-1]
			switch {
			case top.comp != nil:
				top.props = append(top.props, cl)
			case len(stack) == 1:
				t.calProps = append(t.calProps, cl)
			}
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return nil, &ImportError{Line: top.line, Message: fmt.Sprintf("BEGIN:%s is never closed (END:%s missing at the end of the input)", top.name, top.name)}
	}
	if calendars == 0 {
		return nil, &ImportError{Message: "the input is empty: no BEGIN:VCALENDAR"}
	}
	return t, nil
}

// push opens a component, reusing the props buffer left at that depth.
func push(stack []openComponent, oc openComponent) []openComponent {
	if len(stack) < cap(stack) {
		oc.props = stack[:len(stack)+1][len(stack)].props[:0]
	}
	return append(stack, oc)
}

// propertyName returns the upper-cased name of a line that starts like a
// property (a name followed by ";" or ":"); BEGIN and END are structure,
// never skipped.
func propertyName(text string) (string, bool) {
	i := nameEnd(text, 0)
	if i == 0 || i >= len(text) || text[i] != ';' && text[i] != ':' {
		return "", false
	}
	name := upperASCII(text[:i])
	return name, name != "BEGIN" && name != "END"
}

// readProperty reports whether the import reads a property of this name in
// a component of this kind in a way that decides when an event happens or
// which event it is; such a property that cannot be read fails its
// component instead of being skipped.
func readProperty(comp, name string) bool {
	switch comp {
	case "VEVENT":
		switch name {
		case "UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID", "SEQUENCE", "LAST-MODIFIED", "STATUS", "EXRULE", "EXDATE", "RDATE":
			return true
		}
	case "VTIMEZONE":
		return name == "TZID" || name == "X-LIC-LOCATION"
	case "STANDARD", "DAYLIGHT":
		switch name {
		case "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE":
			return true
		}
	}
	return false
}
