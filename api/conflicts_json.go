package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// A conflict check's report is written by hand rather than by
// encoding/json's reflection: encoding it was a tenth of a check's CPU
// (each of its four or six times a call of time.Time's MarshalJSON, whose
// output encoding/json then validates again). The bytes are the ones
// c.JSON writes, trailing newline included (TestCheckReportJSONIsEncodingJSON
// compares them for every field and for strings that need escaping); a
// report it cannot write the same way (a time outside years 0–9999,
// which encoding/json refuses) and ?pretty go through c.JSON as before.

// writeCheckReport answers report as c.JSON(http.StatusOK, report) would.
func writeCheckReport(c echo.Context, report models.CheckReport) error {
	if _, pretty := c.QueryParams()["pretty"]; pretty || c.Echo().Debug {
		return c.JSON(http.StatusOK, report)
	}
	b, ok := appendCheckReport(make([]byte, 0, 256+400*(len(report.Conflicts)+len(report.Warnings))), report)
	if !ok {
		return c.JSON(http.StatusOK, report)
	}
	return c.JSONBlob(http.StatusOK, append(b, '\n'))
}

// appendCheckReport appends report's JSON to b; ok is false when a time
// lies outside what encoding/json writes.
func appendCheckReport(b []byte, r models.CheckReport) (_ []byte, ok bool) {
	b = append(b, `{"conflicts":`...)
	if b, ok = appendConflictViews(b, r.Conflicts); !ok {
		return b, false
	}
	b = append(b, `,"warnings":`...)
	if b, ok = appendConflictViews(b, r.Warnings); !ok {
		return b, false
	}
	return append(b, '}'), true
}

func appendConflictViews(b []byte, vs []models.ConflictView) (_ []byte, ok bool) {
	if vs == nil {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendConflictView(b, &vs[i]); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

func appendConflictView(b []byte, v *models.ConflictView) (_ []byte, ok bool) {
	b = append(b, `{"rule":`...)
	b = appendJSONString(b, v.Rule)
	b = append(b, `,"severity":`...)
	b = appendJSONString(b, v.Severity)
	b = append(b, `,"resource":{"type":`...)
	b = appendJSONString(b, v.Resource.Type)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, v.Resource.ID, 10)
	if v.Resource.Code != "" {
		b = append(b, `,"code":`...)
		b = appendJSONString(b, v.Resource.Code)
	}
	b = append(b, `,"name":`...)
	b = appendJSONString(b, v.Resource.Name)
	b = append(b, `},"occurrence":`...)
	if b, ok = appendSpan(b, v.Occurrence); !ok {
		return b, false
	}
	b = append(b, `,"other":`...)
	if b, ok = appendOther(b, &v.Other); !ok {
		return b, false
	}
	b = append(b, `,"overlap":`...)
	if b, ok = appendSpan(b, v.Overlap); !ok {
		return b, false
	}
	return append(b, '}'), true
}

func appendSpan(b []byte, s models.SpanView) (_ []byte, ok bool) {
	b = append(b, `{"start":`...)
	if b, ok = appendJSONTime(b, s.Start); !ok {
		return b, false
	}
	b = append(b, `,"end":`...)
	if b, ok = appendJSONTime(b, s.End); !ok {
		return b, false
	}
	return append(b, '}'), true
}

// appendOther writes OtherView's fields in order, each omitted when empty
// (its tags all say omitempty).
func appendOther(b []byte, o *models.OtherView) (_ []byte, ok bool) {
	b = append(b, '{')
	if o.ActivityID != 0 {
		b = strconv.AppendInt(appendKey(b, "activity_id"), o.ActivityID, 10)
	}
	if o.BlackoutID != 0 {
		b = strconv.AppendInt(appendKey(b, "blackout_id"), o.BlackoutID, 10)
	}
	if o.ExternalCalendarID != 0 {
		b = strconv.AppendInt(appendKey(b, "external_calendar_id"), o.ExternalCalendarID, 10)
	}
	if o.Title != "" {
		b = appendJSONString(appendKey(b, "title"), o.Title)
	}
	if o.Start != nil {
		if b, ok = appendJSONTime(appendKey(b, "start"), *o.Start); !ok {
			return b, false
		}
	}
	if o.End != nil {
		if b, ok = appendJSONTime(appendKey(b, "end"), *o.End); !ok {
			return b, false
		}
	}
	if o.Restricted {
		b = append(appendKey(b, "restricted"), "true"...)
	}
	if o.Note != "" {
		b = appendJSONString(appendKey(b, "note"), o.Note)
	}
	return append(b, '}'), true
}

// appendKey writes "key": after a comma, unless it opens its object.
func appendKey(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendJSONTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// the nanoseconds it has), refusing the years it refuses.
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	n := len(b)
	b = t.AppendFormat(append(b, '"'), time.RFC3339Nano)
	// MarshalJSON also refuses a zone offset of 24 hours or more; anything
	// but ±hh:mm goes to encoding/json, which says what it makes of it.
	if b[len(b)-1] != 'Z' {
		zone := b[len(b)-len("+07:00"):]
		if (zone[0] != '+' && zone[0] != '-') || zone[1] < '0' || zone[1] > '9' || zone[2] < '0' || zone[2] > '9' || zone[3] != ':' || (zone[1]-'0')*10+(zone[2]-'0') >= 24 {
			return b[:n], false
		}
	}
	return append(b, '"'), true
}

// appendJSONString writes s as encoding/json does with HTML escaping on
// (c.JSON's encoder): a string it would write as it is (no control
// character, quote, backslash, <, > or &, valid UTF-8 without U+2028 or
// U+2029) is copied, any other goes through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendEscaped(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return appendEscaped(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendEscaped writes s through encoding/json, for what it escapes.
func appendEscaped(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}
