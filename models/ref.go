package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"
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

// id returns the numeric id the ref names, if it is one.
func (r Ref) id() (int64, bool) {
	n, err := strconv.ParseInt(string(r), 10, 64)
	return n, err == nil && n > 0
}

// resolve finds the id of the row of table whose id or codeColumn equals r.
func resolve(tx *gorm.DB, table, codeColumn string, r Ref) (int64, error) {
	var ids []int64
	q := tx.Table(table).Select("id").Limit(1)
	if n, ok := r.id(); ok {
		q = q.Where("id = ?", n)
	} else {
		q = q.Where(codeColumn+" = ?", string(r))
	}
	if err := q.Scan(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}

// resolveMany resolves several refs of one table in one query; refs that
// name nothing are absent from the map.
func resolveMany(tx *gorm.DB, table, codeColumn string, refs []Ref) (map[Ref]int64, error) {
	out := make(map[Ref]int64, len(refs))
	var ids []int64
	var codes []string
	for _, r := range refs {
		if n, ok := r.id(); ok {
			ids = append(ids, n)
		} else if r != "" {
			codes = append(codes, string(r))
		}
	}
	if len(ids) == 0 && len(codes) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Code string
	}
	q := tx.Table(table).Select("id, " + codeColumn + " AS code")
	switch {
	case len(ids) > 0 && len(codes) > 0:
		q = q.Where("id IN ? OR "+codeColumn+" IN ?", ids, codes)
	case len(ids) > 0:
		q = q.Where("id IN ?", ids)
	default:
		q = q.Where(codeColumn+" IN ?", codes)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[Ref(r.Code)] = r.ID
		out[Ref(itoa(r.ID))] = r.ID
	}
	return out, nil
}

// entities names the row of each table that references resolve to, for
// messages: "no body with id or code", never "no bodie".
var entities = map[string]string{"people": "person", "bodies": "body", "venues": "venue", "organizations": "organisation", "activities": "activity"}

// entityOf is the singular noun of a table's rows.
func entityOf(table string) string {
	if e, ok := entities[table]; ok {
		return e
	}
	return table
}

// resolveField resolves r and records a validation error on field when it
// names nothing.
func resolveField(tx *gorm.DB, v *ValidationError, field, table, codeColumn string, r Ref) int64 {
	if r == "" {
		return 0
	}
	id, err := resolve(tx, table, codeColumn, r)
	if errors.Is(err, ErrNotFound) {
		v.add(field, "no %s with id or code %q", entityOf(table), string(r))
		return 0
	}
	if err != nil {
		v.add(field, "could not be resolved: %v", err)
	}
	return id
}
