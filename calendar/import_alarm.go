package calendar

import (
	"fmt"
	"github.com/jointcal/jointcal/isoduration"
	"strings"
	"time"
)

// This file turns VALARM triggers into reminders before the event's start.

// readAlarms reads the VALARM triggers into Reminders. An alarm without a
// trigger, or with ACTION:NONE (RFC 9074), is ignored; a trigger that cannot
// be read fails the event, because its reminder would silently be lost.
func (er *eventReader) readAlarms(comp *component) {
	ev := &er.pe.ev
	for _, al := range comp.children {
		if al.name != "VALARM" {
			continue
		}
		var trig *contentLine
		none := false
		for i := range al.props {
			p := &al.props[i]
			switch p.name {
			case "TRIGGER":
				if trig == nil {
					trig = p
				}
			case "ACTION":
				none = upperASCII(strings.TrimSpace(p.value)) == "NONE"
			}
		}
		if trig == nil || none {
			continue
		}
		var before time.Duration
		v := strings.TrimSpace(trig.value)
		valueType, _ := trig.param("VALUE")
		if upperASCII(valueType) == "DATE-TIME" || v != "" && v[0] >= '0' && v[0] <= '9' {
			tv, err := parseTimeValue(v)
			if err != nil || tv.isDate {
				if err == nil {
					err = fmt.Errorf("an absolute trigger must be a DATE-TIME")
				}
				er.fail(trig.line, "VALARM TRIGGER: %v", err)
				return
			}
			at := tv.wall
			if !tv.utc {
				at = er.zone.instant(tv.wall)
			}
			before = ev.Start.Sub(at)
		} else {
			d, err := isoduration.Parse(v)
			if err != nil {
				er.fail(trig.line, "VALARM TRIGGER: %v", err)
				return
			}
			if rel, _ := trig.param("RELATED"); upperASCII(rel) == "END" {
				d += ev.End.Sub(ev.Start)
			}
			before = -d
		}
		dup := false
		for _, r := range ev.Reminders {
			dup = dup || r == before
		}
		if !dup {
			ev.Reminders = append(ev.Reminders, before)
		}
	}
}
