package storage

import (
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// paginate runs q (already filtered, without order or limit) for one page
// ordered by id, with the total count of matches.
func paginate[T any](q *gorm.DB, idColumn string, opts models.ListOptions, id func(T) int64) (models.Page[T], error) {
	return paginateCounted(q, idColumn, opts, id, countRows)
}

// countRows counts the rows q matches.
func countRows(q *gorm.DB) (n int64, err error) {
	err = q.Session(&gorm.Session{}).Count(&n).Error
	return n, err
}

// paginateCounted is paginate with the total counted by count (the
// activity list's comes from Store.countTotal).
func paginateCounted[T any](q *gorm.DB, idColumn string, opts models.ListOptions, id func(T) int64, count func(*gorm.DB) (int64, error)) (models.Page[T], error) {
	limit, after, err := opts.Normalise()
	if err != nil {
		return models.Page[T]{}, err
	}
	var p models.Page[T]
	if p.Total, err = count(q); err != nil {
		return p, fmt.Errorf("count total: %w", err)
	}
	switch {
	case !opts.Descending:
		q = q.Where(idColumn+" > ?", after).Order(idColumn)
	case opts.Cursor != "":
		q = q.Where(idColumn+" < ?", after).Order(idColumn + " DESC")
	default:
		q = q.Order(idColumn + " DESC")
	}
	if err := q.Limit(limit + 1).Find(&p.Items).Error; err != nil {
		return p, fmt.Errorf("paginate: %w", err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.NextCursor = encodeCursor(id(p.Items[limit-1]))
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p, nil
}
