package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// FeedWindow is the span of occurrences a feed request covers and how long
// cancelled or deleted activities stay in it.
type FeedWindow struct {
	From, To  time.Time
	Retention time.Duration
}

// FeedVersion fingerprints everything a feed's content depends on: the
// feed itself, the window, and the last change to any activity or to the
// reference data its events show. Equal versions mean equal content, so
// the fingerprint serves as the cache key and the ETag, and an unchanged
// feed costs two indexed lookups instead of a render. Stamp is the time of
// that last change (DTSTAMP and Last-Modified).
func (s *Store) FeedVersion(ctx context.Context, f *Feed, w FeedWindow) (version string, stamp time.Time, err error) {
	var parts [5]sql.NullString
	row := s.db.WithContext(ctx).Raw(`SELECT
		(SELECT MAX(updated_at) FROM activities),
		(SELECT MAX(updated_at) FROM people),
		(SELECT MAX(updated_at) FROM bodies),
		(SELECT MAX(updated_at) FROM venues),
		(SELECT MAX(updated_at) FROM organizations)`).Row()
	if err := row.Scan(&parts[0], &parts[1], &parts[2], &parts[3], &parts[4]); err != nil {
		return "", time.Time{}, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%s|%d|%d|%d", f.ID, f.UpdatedAt.UTC().Format(time.RFC3339Nano), f.FilterJSON, w.From.Unix(), w.To.Unix(), int64(w.Retention))
	for _, p := range parts {
		fmt.Fprintf(h, "|%s", p.String)
		if t, ok := parseDBTime(p.String); ok && t.After(stamp) {
			stamp = t
		}
	}
	if stamp.IsZero() {
		stamp = f.CreatedAt
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), stamp.UTC().Truncate(time.Second), nil
}

// parseDBTime reads a timestamp as either driver renders it as text.
func parseDBTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999 -0700 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FeedActivities returns what a feed publishes: the activities its owner
// may see, matching its filter, with an occurrence in the window, plus
// cancelled and deleted ones changed within the retention period (so that
// subscribed clients remove them).
func (s *Store) FeedActivities(ctx context.Context, f *Feed, w FeedWindow) ([]ActivityView, error) {
	db := s.db.WithContext(ctx)
	v, err := f.viewer(db)
	if err != nil {
		return nil, err
	}
	cutoff := s.now().Add(-w.Retention)
	q := db.Table("activities").Scopes(visibleActivities(v)).
		Where("(activities.deleted_at IS NULL OR activities.deleted_at > ?)", cutoff).
		Where("(activities.status <> 'cancelled' OR activities.updated_at > ?)", cutoff)
	q, err = occurringIn(db, q, w.From, w.To)
	if err != nil {
		return nil, err
	}
	q, ok := applyFeedFilter(db, q, f.Filter)
	if !ok {
		return []ActivityView{}, nil
	}
	var ids []int64
	if err := q.Order("activities.id").Pluck("activities.id", &ids).Error; err != nil {
		return nil, err
	}
	return loadViews(db, ids)
}

// applyFeedFilter narrows q by a feed filter; ok is false when a filter
// names nothing that exists any more (the feed is then empty, not wider).
func applyFeedFilter(db *gorm.DB, q *gorm.DB, f FeedFilter) (*gorm.DB, bool) {
	ids := func(table, column string, refs []string) ([]int64, bool) {
		var out []int64
		for _, r := range refs {
			if id, err := resolve(db, table, column, Ref(r)); err == nil {
				out = append(out, id)
			}
		}
		return out, len(out) > 0
	}
	if len(f.Organizations) > 0 {
		orgs, ok := ids("organizations", "code", f.Organizations)
		if !ok {
			return q, false
		}
		q = q.Where("(activities.lead_organization_id IN ? OR EXISTS (SELECT 1 FROM participants p WHERE p.activity_id = activities.id AND p.type = 'organization' AND p.ref_id IN ?))", orgs, orgs)
	}
	for _, pf := range []struct {
		refs          []string
		table, column string
		typ           string
	}{{f.Bodies, "bodies", "code", "body"}, {f.People, "people", "email", "person"}} {
		if len(pf.refs) == 0 {
			continue
		}
		found, ok := ids(pf.table, pf.column, pf.refs)
		if !ok {
			return q, false
		}
		q = q.Where("EXISTS (SELECT 1 FROM participants p WHERE p.activity_id = activities.id AND p.type = ? AND p.ref_id IN ?)", pf.typ, found)
	}
	if len(f.Venues) > 0 {
		venues, ok := ids("venues", "code", f.Venues)
		if !ok {
			return q, false
		}
		q = q.Where("activities.venue_id IN ?", venues)
	}
	if len(f.Kinds) > 0 {
		q = q.Where("activities.kind IN ?", f.Kinds)
	}
	if len(f.Series) > 0 {
		q = q.Where("activities.series IN ?", f.Series)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("activities.status IN ?", f.Statuses)
	}
	if len(f.Areas) > 0 {
		q = q.Where("EXISTS (SELECT 1 FROM activity_areas aa WHERE aa.activity_id = activities.id AND aa.area IN ?)", f.Areas)
	}
	return q, true
}
