package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Strings is a list of strings kept in one JSON text column.
type Strings []string

// Value encodes the list as JSON.
func (s Strings) Value() (driver.Value, error) {
	if s == nil {
		s = Strings{}
	}
	b, err := json.Marshal([]string(s))
	return string(b), err
}

// Scan decodes the JSON text written by Value.
func (s *Strings) Scan(src any) error { return scanJSON(src, (*[]string)(s)) }

// Times is a list of instants kept in one JSON text column (RFC 3339, UTC).
type Times []time.Time

// Value encodes the list as JSON.
func (t Times) Value() (driver.Value, error) {
	out := make([]time.Time, len(t))
	for i, x := range t {
		out[i] = x.UTC()
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// Scan decodes the JSON text written by Value.
func (t *Times) Scan(src any) error { return scanJSON(src, (*[]time.Time)(t)) }

func scanJSON(src any, dst any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		return json.Unmarshal([]byte(v), dst)
	case []byte:
		return json.Unmarshal(v, dst)
	default:
		return fmt.Errorf("cannot scan %T into a JSON column", src)
	}
}

// RawJSON is a JSON document kept verbatim in a text column (audit
// snapshots); it scans from either driver's text representation.
type RawJSON []byte

// MarshalJSON emits the document as it is.
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// Value stores the document as text (NULL when empty).
func (r RawJSON) Value() (driver.Value, error) {
	if len(r) == 0 {
		return nil, nil
	}
	return string(r), nil
}

// Scan reads the text back.
func (r *RawJSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*r = nil
	case string:
		*r = RawJSON(v)
	case []byte:
		*r = append(RawJSON(nil), v...)
	default:
		return fmt.Errorf("cannot scan %T into RawJSON", src)
	}
	return nil
}
