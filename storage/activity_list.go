package storage

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// involvingPerson keeps the activities a person takes part in, directly
// or through a body they belong to (twice the person's id): the weekly
// digest's ("my activities" use involvedIDs).
const involvingPerson = `EXISTS (SELECT 1 FROM participants pp WHERE pp.activity_id = activities.id AND (
	(pp.type = 'person' AND pp.ref_id = ?) OR
	(pp.type = 'body' AND pp.ref_id IN (SELECT body_id FROM body_members WHERE person_id = ?))))`

// involvedIDs is involvingPerson as the list of the person's activity ids
// (twice the person's id), read from the participants' index: a person
// takes part in a few hundred of 100,000 activities, so the list, not a
// walk of every activity, leads the query of "my activities".
const involvedIDs = `activities.id IN (SELECT pp.activity_id FROM participants pp WHERE pp.type = 'person' AND pp.ref_id = ?
	UNION ALL SELECT pp.activity_id FROM participants pp WHERE pp.type = 'body' AND pp.ref_id IN (SELECT body_id FROM body_members WHERE person_id = ?))`

// ListActivities lists the activities the actor may see, by id.
func (s *Store) ListActivities(ctx context.Context, a models.Actor, f models.ActivityFilter) (models.Page[models.ActivityView], error) {
	db := s.db.WithContext(ctx)
	empty := models.Page[models.ActivityView]{Items: []models.ActivityView{}}
	q, none, err := filteredActivities(db, a, f)
	if err != nil || none {
		return empty, err
	}
	type idRow struct{ ID int64 }
	total := func(q *gorm.DB) (int64, error) { return s.countTotal(ctx, q) }
	var ids []int64
	var page models.Page[idRow]
	if f.LatestFirst {
		ids, page.NextCursor, page.Total, err = latestFirst(q, f.ListOptions, total)
	} else {
		page, err = paginateCounted(q.Select("activities.id"), "activities.id", f.ListOptions, func(r idRow) int64 { return r.ID }, total)
		for _, r := range page.Items {
			ids = append(ids, r.ID)
		}
	}
	if err != nil {
		return empty, fmt.Errorf("list activities: %w", err)
	}
	views, err := loadViews(db, ids)
	if err != nil {
		return empty, fmt.Errorf("load listed activities: %w", err)
	}
	return models.Page[models.ActivityView]{Items: views, NextCursor: page.NextCursor, Total: page.Total}, nil
}

// latestFirst reads one page of the activities q matches ordered by start,
// latest first, then by id, highest first (ActivityFilter.LatestFirst):
// their ids, and the page's cursor and total. The cursor is the last
// row's start and id, so that the next page starts strictly after it in
// that order whatever is added in between.
func latestFirst(q *gorm.DB, opts models.ListOptions, count func(*gorm.DB) (int64, error)) (ids []int64, next string, total int64, err error) {
	limit, _, err := models.ListOptions{Limit: opts.Limit}.Normalise()
	if err != nil {
		return nil, "", 0, err
	}
	if total, err = count(q); err != nil {
		return nil, "", 0, fmt.Errorf("count total: %w", err)
	}
	if opts.Cursor != "" {
		start, id, ok := decodeStartCursor(opts.Cursor)
		if !ok {
			return nil, "", 0, &models.ValidationError{Errors: []models.FieldError{{Field: "cursor", Message: "not a cursor this service issued"}}}
		}
		q = q.Where("(activities.start_at < ? OR (activities.start_at = ? AND activities.id < ?))", start, start, id)
	}
	var rows []struct {
		ID      int64
		StartAt time.Time
	}
	if err := q.Select("activities.id, activities.start_at").Order("activities.start_at DESC, activities.id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", 0, fmt.Errorf("latest first: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeStartCursor(rows[limit-1].StartAt, rows[limit-1].ID)
	}
	ids = make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, next, total, nil
}

// encodeStartCursor is the cursor of a latest-first page ending at the
// activity id starting at start: its Unix seconds and nanoseconds apart
// (UnixNano alone overflows outside the years 1678–2262, which a start
// may be in).
func encodeStartCursor(start time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(start.Unix(), 10) + "." + strconv.Itoa(start.Nanosecond()) + "." + strconv.FormatInt(id, 10)))
}

// decodeStartCursor reads encodeStartCursor's cursor back.
func decodeStartCursor(cursor string) (time.Time, int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, 0, false
	}
	f := strings.Split(string(raw), ".")
	if len(f) != 3 {
		return time.Time{}, 0, false
	}
	sec, err1 := strconv.ParseInt(f[0], 10, 64)
	ns, err2 := strconv.ParseInt(f[1], 10, 64)
	id, err3 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || ns < 0 || ns >= 1e9 || id <= 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(sec, ns).UTC(), id, true
}

// filteredActivities is the query of the activities the actor may see
// that match f, shared by the activity and occurrence lists so that both
// filter and hide alike. none is true when a reference in f names
// nothing, so nothing can match.
func filteredActivities(db *gorm.DB, a models.Actor, f models.ActivityFilter) (q *gorm.DB, none bool, err error) {
	if err := f.Validate(); err != nil {
		return nil, false, err
	}
	live := "activities.deleted_at IS NULL"
	if f.Involving != 0 && db.Dialector.Name() == "sqlite" {
		// SQLite would walk the live activities in id order through their
		// deleted_at index and test each against the person's list; the
		// unary plus keeps that index out, so the list leads.
		live = "+activities.deleted_at IS NULL"
	}
	q = db.Table("activities").Where(live).Scopes(visibleActivities(a.Viewer()))
	if f.Involving != 0 {
		q = q.Where(involvedIDs, f.Involving, f.Involving)
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := windowBounds(f.From, f.To)
		// A person's activities, or a window over most of the
		// occurrences' span, are tested each through its occurrences,
		// rather than by listing every occurrence of the window first
		// (for "my activities", from today to the end of time).
		each := f.Involving != 0
		if !each {
			if each, err = spansMostOccurrences(db, from, to); err != nil {
				return nil, false, err
			}
		}
		if each {
			q, err = eachOccurringIn(db, q, from, to)
		} else {
			q, err = occurringIn(db, q, from, to)
		}
		if err != nil {
			return nil, false, fmt.Errorf("activities occurring in %s..%s: %w", from, to, err)
		}
	}
	if f.ID != 0 {
		q = q.Where("activities.id = ?", f.ID)
	}
	if f.Kind != "" {
		q = q.Where("activities.kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("activities.status = ?", f.Status)
	}
	if f.Series != "" {
		q = q.Where("activities.series = ?", f.Series)
	}
	if f.Area != "" {
		q = q.Where("EXISTS (SELECT 1 FROM activity_areas aa WHERE aa.activity_id = activities.id AND aa.area = ?)", f.Area)
	}
	for _, p := range []struct {
		ref          models.Ref
		table, code  string
		typ          string
		extraColumns string
	}{
		{f.Organization, "organizations", "code", "organization", "activities.lead_organization_id = ? OR "},
		{f.Body, "bodies", "code", "body", ""},
		{f.Person, "people", "email", "person", ""},
	} {
		if p.ref == "" {
			continue
		}
		id, err := resolve(db, p.table, p.code, p.ref)
		if errors.Is(err, models.ErrNotFound) {
			return nil, true, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("resolve filter %q: %w", p.ref, err)
		}
		cond := "EXISTS (SELECT 1 FROM participants pp WHERE pp.activity_id = activities.id AND pp.type = ? AND pp.ref_id = ?)"
		if p.extraColumns != "" {
			q = q.Where("("+p.extraColumns+cond+")", id, p.typ, id)
		} else {
			q = q.Where(cond, p.typ, id)
		}
	}
	if f.Venue != "" {
		id, err := resolve(db, "venues", "code", f.Venue)
		if errors.Is(err, models.ErrNotFound) {
			return nil, true, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("resolve filter %q: %w", f.Venue, err)
		}
		q = q.Where("activities.venue_id = ?", id)
	}
	return textFilter(q, f.Q, "activities.title", "activities.description", "activities.series"), false, nil
}

// windowBounds is a filter's window with an open end made the start of
// the epoch or the year 9999.
func windowBounds(from, to time.Time) (time.Time, time.Time) {
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return from, to
}

// eachOccurringIn is occurringIn tested on each activity of q through its
// occurrences' activity index, for a query led by a short list of
// activities (a person's), where occurringIn would first list every
// occurrence of the window.
func eachOccurringIn(tx *gorm.DB, q *gorm.DB, from, to time.Time) (*gorm.DB, error) {
	longest, err := longestOccurrence(tx)
	if err != nil {
		return nil, err
	}
	return q.Where("EXISTS (SELECT 1 FROM occurrences o WHERE o.activity_id = activities.id AND o.start_s >= ? AND o.start_s < ? AND o.end_s > ?)",
		from.Unix()-longest, to.Unix(), from.Unix()), nil
}

// spansMostOccurrences reports, on SQLite, whether [from, to) covers more
// than half the time that occurrences span (the feeds' listingForm asks
// it too): a list over such a window (the programme's three years)
// tests each activity through its occurrences (eachOccurringIn), where
// occurringIn would first collect every occurrence of most of the table
// into a temporary index, 280,000 of them at 100,000 activities.
func spansMostOccurrences(db *gorm.DB, from, to time.Time) (bool, error) {
	if db.Dialector.Name() != "sqlite" {
		return false, nil
	}
	var first, last sql.NullInt64
	// Two subqueries: SQLite reads one end of an index for a lone MIN or
	// MAX, but scans it for both in one SELECT.
	if err := db.Raw("SELECT (SELECT MIN(start_s) FROM occurrences), (SELECT MAX(start_s) FROM occurrences)").Row().Scan(&first, &last); err != nil {
		return false, fmt.Errorf("span of the occurrences: %w", err)
	}
	if !first.Valid || last.Int64 <= first.Int64 {
		return false, nil
	}
	lo, hi := max(from.Unix(), first.Int64), min(to.Unix(), last.Int64)
	return 2*(hi-lo) > last.Int64-first.Int64, nil
}
