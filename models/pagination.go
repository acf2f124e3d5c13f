package models

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// DefaultLimit and MaxLimit bound a page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page is one slice of a list with the cursor of the next one; the
// cursor is opaque to clients ("" when this is the last page).
type Page[T any] struct {
	Items      []T
	NextCursor string
	Total      int64
}

// pageJSON is how a page travels: next_cursor is always present and null
// on the last page, so that clients can loop on it without guessing
// whether an absent field means "done".
type pageJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int64   `json:"total"`
}

// MarshalJSON writes the page with a null next_cursor on the last page
// and an empty (never null) item list.
func (p Page[T]) MarshalJSON() ([]byte, error) {
	out := pageJSON[T]{Items: p.Items, Total: p.Total}
	if out.Items == nil {
		out.Items = []T{}
	}
	if p.NextCursor != "" {
		out.NextCursor = &p.NextCursor
	}
	return json.Marshal(out)
}

// ListOptions are the pagination parameters every list takes.
// Descending pages from the highest id down (the audit trail reads newest
// first); the cursor then continues below the last id seen.
type ListOptions struct {
	Limit      int
	Cursor     string
	Descending bool
}

// Normalise applies defaults and decodes the cursor to the last id seen.
func (o ListOptions) Normalise() (limit int, after int64, err error) {
	limit = o.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		return 0, 0, &ValidationError{Errors: []FieldError{{Field: "limit", Message: fmt.Sprintf("at most %d", MaxLimit)}}}
	}
	if o.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(o.Cursor)
		if err == nil {
			after, err = strconv.ParseInt(string(raw), 10, 64)
		}
		if err != nil || after < 0 {
			return 0, 0, &ValidationError{Errors: []FieldError{{Field: "cursor", Message: "not a cursor this service issued"}}}
		}
	}
	return limit, after, nil
}

// PagesUpTo reads a paginated list from its first page, MaxLimit items a
// page, until it is read whole or holds at least max items (max ≤ 0: no
// bound), and gives the first page's Total: how the pages and the CLI
// read lists the API hands out a page at a time.
func PagesUpTo[T any](list func(ListOptions) (Page[T], error), max int) (items []T, total int64, err error) {
	opts := ListOptions{Limit: MaxLimit}
	for {
		page, err := list(opts)
		if err != nil {
			return nil, 0, err
		}
		if opts.Cursor == "" {
			total = page.Total
		}
		items = append(items, page.Items...)
		if page.NextCursor == "" || (max > 0 && len(items) >= max) {
			return items, total, nil
		}
		opts.Cursor = page.NextCursor
	}
}

// AllPages is every item of a paginated list (PagesUpTo without a bound).
func AllPages[T any](list func(ListOptions) (Page[T], error)) ([]T, error) {
	items, _, err := PagesUpTo(list, 0)
	return items, err
}
