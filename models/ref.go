package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Ref is how the API names another entity: its numeric id or its code (an
// e-mail address for people). JSON may carry it as a number or a string.
type Ref string

// UnmarshalJSON accepts "EU", 12 and null.
func (r *Ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*r = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Ref(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("want an id or a code")
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return errors.New("want an integer id or a code")
	}
	*r = Ref(n.String())
	return nil
}

// ID returns the numeric id the ref names, if it is one.
func (r Ref) ID() (int64, bool) {
	n, err := strconv.ParseInt(string(r), 10, 64)
	return n, err == nil && n > 0
}
