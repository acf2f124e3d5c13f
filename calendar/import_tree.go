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
}

// tree is what readTree keeps of the input.
type tree struct {
	calProps  []contentLine
	events    []*component
	timezones []*component
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
			return nil, ierr
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
