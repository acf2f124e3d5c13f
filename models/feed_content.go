package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// FeedWindow is the span of occurrences a feed request covers and how long
// cancelled or deleted activities stay in it.
type FeedWindow struct {
	From, To  time.Time
	Retention time.Duration
}

// FeedItem is one activity a feed shows and its version, which every
// write of the activity (change, cancellation, deletion) increments: the
// pair identifies the activity's rendering.
type FeedItem struct {
	ID      int64
	Version int
}

// FeedContents is what a feed shows in a window, as identifiers: enough to
// fingerprint it and to know which events a cache must (re)render.
type FeedContents struct {
	// Items are the visible, filtered activities with an occurrence in the
	// window and the cancelled or deleted ones still retained, by id.
	Items []FeedItem
	// Refs fingerprints the reference data events show (names of people,
	// bodies, venues and organisations). Reference data is never restricted
	// to an organisation, so it may come from whole tables.
	Refs string
	// RefStamp is the latest change to reference data.
	RefStamp time.Time
	// Version is the fingerprint of everything the feed's bytes depend on:
	// equal versions mean equal content, so it is the cache key and ETag.
	// The feed's DTSTAMP and Last-Modified are the latest of RefStamp and
	// its events' LAST-MODIFIED, a function of the same inputs.
	Version string
}

// FeedContents lists what a feed shows and fingerprints it. Only the
// activities in the feed count: an activity the owner may not see, or one
// the filter or window leaves out, changes neither Version nor Stamp, so a
// feed's validators reveal nothing about activities hidden from it.
func (s *Store) FeedContents(ctx context.Context, f *Feed, w FeedWindow) (FeedContents, error) {
	db := s.db.WithContext(ctx)
	var c FeedContents
	var parts [4]sql.NullString
	row := db.Raw(`SELECT
		(SELECT MAX(updated_at) FROM people),
		(SELECT MAX(updated_at) FROM bodies),
		(SELECT MAX(updated_at) FROM venues),
		(SELECT MAX(updated_at) FROM organizations)`).Row()
	if err := row.Scan(&parts[0], &parts[1], &parts[2], &parts[3]); err != nil {
		return c, fmt.Errorf("feed %d: reference data versions: %w", f.ID, err)
	}
	refs := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(refs, "%s|", p.String)
		if t, ok := parseDBTime(p.String); ok && t.After(c.RefStamp) {
			c.RefStamp = t
		}
	}
	c.Refs = hex.EncodeToString(refs.Sum(nil)[:8])

	q, ok, err := s.feedQuery(db, f, w)
	if err != nil {
		return c, fmt.Errorf("feed %d: %w", f.ID, err)
	}
	if ok {
		rs, err := q.Select("activities.id, activities.version").Order("activities.id").Rows()
		if err != nil {
			return c, fmt.Errorf("feed %d: list activities: %w", f.ID, err)
		}
		defer rs.Close()
		for rs.Next() {
			var it FeedItem
			if err := rs.Scan(&it.ID, &it.Version); err != nil {
				return c, fmt.Errorf("feed %d: list activities: %w", f.ID, err)
			}
			c.Items = append(c.Items, it)
		}
		if err := rs.Err(); err != nil {
			return c, fmt.Errorf("feed %d: list activities: %w", f.ID, err)
		}
	}

	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%s|%s", f.ID, f.Name, f.UpdatedAt.UTC().Format(time.RFC3339Nano), c.Refs)
	buf := make([]byte, 0, 64)
	for _, it := range c.Items {
		buf = strconv.AppendInt(append(buf[:0], '|'), it.ID, 10)
		buf = strconv.AppendInt(append(buf, ':'), int64(it.Version), 10)
		h.Write(buf)
	}
	c.Version = hex.EncodeToString(h.Sum(nil)[:16])
	return c, nil
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

// feedQuery selects what a feed publishes: the activities its owner may
// see, matching its filter, with an occurrence in the window, plus cancelled
// and deleted ones changed within the retention period (so that subscribed
// clients remove them). ok is false when the feed is empty by its filter.
func (s *Store) feedQuery(db *gorm.DB, f *Feed, w FeedWindow) (q *gorm.DB, ok bool, err error) {
	v, err := f.viewer(db)
	if err != nil {
		return nil, false, fmt.Errorf("owner's visibility: %w", err)
	}
	cutoff := s.now().Add(-w.Retention)
	q = db.Table("activities").Scopes(visibleActivities(v)).
		Where("(activities.deleted_at IS NULL OR activities.deleted_at > ?)", cutoff).
		Where("(activities.status <> 'cancelled' OR activities.updated_at > ?)", cutoff)
	q, err = occurringIn(db, q, w.From, w.To)
	if err != nil {
		return nil, false, err
	}
	q, ok = applyFeedFilter(db, q, f.Filter)
	return q, ok, nil
}

// FeedViews loads activities a FeedContents listed, for rendering the ones
// a cache does not hold. The ids come from FeedContents, which already
// applied the owner's visibility.
func (s *Store) FeedViews(ctx context.Context, ids []int64) ([]ActivityView, error) {
	views, err := loadViews(s.db.WithContext(ctx), ids)
	if err != nil {
		return nil, fmt.Errorf("load %d feed activities: %w", len(ids), err)
	}
	return views, nil
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
