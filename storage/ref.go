package storage

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// resolve finds the id of the row of table whose id or codeColumn equals r.
func resolve(tx *gorm.DB, table, codeColumn string, r models.Ref) (int64, error) {
	var ids []int64
	q := tx.Table(table).Select("id").Limit(1)
	if n, ok := r.ID(); ok {
		q = q.Where("id = ?", n)
	} else {
		q = q.Where(codeColumn+" = ?", string(r))
	}
	if err := q.Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("resolve: %w", err)
	}
	if len(ids) == 0 {
		return 0, models.ErrNotFound
	}
	return ids[0], nil
}

// resolveMany resolves several refs of one table in one query; refs that
// name nothing are absent from the map.
func resolveMany(tx *gorm.DB, table, codeColumn string, refs []models.Ref) (map[models.Ref]int64, error) {
	out := make(map[models.Ref]int64, len(refs))
	var ids []int64
	var codes []string
	for _, r := range refs {
		if n, ok := r.ID(); ok {
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
		return nil, fmt.Errorf("resolve many: %w", err)
	}
	for _, r := range rows {
		out[models.Ref(r.Code)] = r.ID
		out[models.Ref(strconv.FormatInt(r.ID, 10))] = r.ID
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
func resolveField(tx *gorm.DB, v *models.ValidationError, field, table, codeColumn string, r models.Ref) int64 {
	if r == "" {
		return 0
	}
	id, err := resolve(tx, table, codeColumn, r)
	if errors.Is(err, models.ErrNotFound) {
		v.Add(field, "no %s with id or code %q", entityOf(table), string(r))
		return 0
	}
	if err != nil {
		v.Add(field, "could not be resolved: %v", err)
	}
	return id
}
