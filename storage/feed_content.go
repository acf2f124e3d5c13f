package storage

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// FeedContents is what a feed shows in a window, as identifiers: enough to
// fingerprint it and to know which events a cache must (re)render.
type FeedContents struct {
	// Items are the visible, filtered activities with an occurrence in the
	// window and the cancelled or deleted ones still retained, by id.
	Items []models.FeedItem
	// Refs fingerprints the reference data events show (names of people,
	// bodies, venues and organisations): it moves when such a name
	// changes, not when a row is added or a person's own settings change.
	// Reference data is never restricted to an organisation, so it may
	// come from whole tables.
	Refs string
	// RefStamp is the latest change to what events show of reference data.
	RefStamp time.Time
	// feed identifies the feed and window listed; listedRefs fingerprints
	// every change to reference data, which may change what the feed lists;
	// mark is the newest activity change when listed; listed is when the
	// last full listing ran.
	feed       string
	listedRefs string
	mark       string
	listed     time.Time
	// Version is the fingerprint of everything the feed's bytes depend on:
	// equal versions mean equal content, so it is the cache key and ETag.
	// The feed's Last-Modified is the latest of RefStamp and its events'
	// LAST-MODIFIED, and each event's DTSTAMP the later of RefStamp and its
	// own: functions of the same inputs.
	Version string
}

// fingerprint is a short digest of the latest changes of tables, and the
// latest of them.
func fingerprint(latest []sql.NullString) (string, time.Time) {
	h := sha256.New()
	var stamp time.Time
	for _, p := range latest {
		fmt.Fprintf(h, "%s|", p.String)
		if t, ok := parseDBTime(p.String); ok && t.After(stamp) {
			stamp = t
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), stamp
}

// shownLatest selects the latest change to what events show of each
// kind of reference data (shown_at), the columns Refs is taken from.
const shownLatest = `(SELECT MAX(shown_at) FROM people),
		(SELECT MAX(shown_at) FROM bodies),
		(SELECT MAX(shown_at) FROM venues),
		(SELECT MAX(shown_at) FROM organizations)`

// ShownReferences fingerprints what calendar events show of reference
// data, as a feed's Refs does: one activity's calendar file, whose
// version does not move when a name it shows changes, adds it to its
// ETag.
func (s *Store) ShownReferences(ctx context.Context) (string, error) {
	var parts [4]sql.NullString
	row := s.db.WithContext(ctx).Raw("SELECT " + shownLatest).Row()
	if err := row.Scan(&parts[0], &parts[1], &parts[2], &parts[3]); err != nil {
		return "", fmt.Errorf("reference data shown in events: %w", err)
	}
	refs, _ := fingerprint(parts[:])
	return refs, nil
}

// feedRelist is how long a listing may be kept up to date incrementally
// before it is listed in full again. The full listing is the ground truth:
// it drops tombstones whose retention ended (time passing changes no row)
// and catches a change whose transaction committed later than one with a
// newer timestamp by more than feedChangeMargin.
const feedRelist = time.Minute

// feedChangeMargin is how far before the newest change it has seen an
// incremental listing looks again, for transactions that commit out of
// timestamp order.
const feedChangeMargin = 5 * time.Second

// FeedContents lists what a feed shows and fingerprints it. Only the
// activities in the feed count: an activity the owner may not see, or one
// the filter or window leaves out, changes neither Version nor the feed's
// stamp, so a feed's validators reveal nothing about activities hidden
// from it.
//
// prev, when not nil, is this feed's previous listing for the same window:
// if no activity changed since, it is returned as is after one indexed
// lookup; if some did, only the activities changed since are read and
// merged into it. Without prev, or every feedRelist, the feed is listed in
// full.
func (s *Store) FeedContents(ctx context.Context, f *models.Feed, w models.FeedWindow, prev *FeedContents) (FeedContents, error) {
	db := s.db.WithContext(ctx)
	c := FeedContents{feed: feedIdentity(f, w)}
	// What events show of reference data changes with shown_at (names and
	// codes: see migration 0055); anything else about it, which may change
	// what a feed lists (a person's organisation, a body's members), with
	// updated_at.
	var parts [9]sql.NullString
	row := db.Raw("SELECT " + shownLatest + `,
		(SELECT MAX(updated_at) FROM people),
		(SELECT MAX(updated_at) FROM bodies),
		(SELECT MAX(updated_at) FROM venues),
		(SELECT MAX(updated_at) FROM organizations),
		(SELECT MAX(updated_at) FROM activities)`).Row()
	dst := make([]any, len(parts))
	for i := range parts {
		dst[i] = &parts[i]
	}
	if err := row.Scan(dst...); err != nil {
		return c, fmt.Errorf("feed %d: data versions: %w", f.ID, err)
	}
	c.Refs, c.RefStamp = fingerprint(parts[:4])
	c.listedRefs, _ = fingerprint(parts[4:8])
	c.mark = parts[8].String
	now := s.now()

	// Reference data is compared too: a person owning the feed may have
	// moved to another organisation, which changes what it sees.
	incremental := prev != nil && prev.feed == c.feed && prev.listedRefs == c.listedRefs && now.Sub(prev.listed) < feedRelist
	form := perActivity
	if !incremental {
		var err error
		if form, err = s.listingForm(db, w); err != nil {
			return c, fmt.Errorf("feed %d: %w", f.ID, err)
		}
	}
	q, ok, err := s.feedQuery(db, f, w, form)
	if err != nil {
		return c, fmt.Errorf("feed %d: %w", f.ID, err)
	}
	switch {
	case !ok: // the filter names nothing that exists: empty
		c.listed = now
	case incremental:
		c.listed = prev.listed
		if prev.mark == c.mark {
			c.Items = prev.Items
		} else if c.Items, err = s.feedChanges(db, q, prev); err != nil {
			return c, fmt.Errorf("feed %d: %w", f.ID, err)
		}
	default:
		c.listed = now
		if c.Items, err = scanFeedItems(q); err != nil {
			return c, fmt.Errorf("feed %d: %w", f.ID, err)
		}
	}

	h := sha256.New()
	fmt.Fprintf(h, "%s|%s", c.feed, c.Refs)
	buf := make([]byte, 0, 64)
	for _, it := range c.Items {
		buf = strconv.AppendInt(append(buf[:0], '|'), it.ID, 10)
		buf = strconv.AppendInt(append(buf, ':'), int64(it.Version), 10)
		h.Write(buf)
	}
	c.Version = hex.EncodeToString(h.Sum(nil)[:16])
	return c, nil
}

// feedIdentity is what, besides its activities and reference data, a
// feed's listing and bytes depend on.
func feedIdentity(f *models.Feed, w models.FeedWindow) string {
	return fmt.Sprintf("%d|%s|%s|%s|%d|%d|%d", f.ID, f.Name, f.UpdatedAt.UTC().Format(time.RFC3339Nano), f.FilterJSON, w.From.Unix(), w.To.Unix(), int64(w.Retention))
}

// scanFeedItems runs a feed query for ids and versions, by id.
func scanFeedItems(q *gorm.DB) ([]models.FeedItem, error) {
	rs, err := q.Select("activities.id, activities.version").Order("activities.id").Rows()
	if err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	defer rs.Close()
	var out []models.FeedItem
	for rs.Next() {
		var it models.FeedItem
		if err := rs.Scan(&it.ID, &it.Version); err != nil {
			return nil, fmt.Errorf("list activities: %w", err)
		}
		out = append(out, it)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	// The listing is kept in the feed memo, which bounds its items: an
	// exact copy drops the quarter to half of spare capacity append left.
	return slices.Clone(out), nil
}

// feedChanges brings prev's items up to date by reading only the
// activities written since prev was listed (through the updated_at index):
// those of them the feed query still selects replace or join the list,
// the others leave it.
func (s *Store) feedChanges(db *gorm.DB, q *gorm.DB, prev *FeedContents) ([]models.FeedItem, error) {
	markTime, ok := parseDBTime(prev.mark)
	if !ok && prev.mark != "" {
		return nil, fmt.Errorf("read the last change time %q", prev.mark)
	}
	since := markTime.Add(-feedChangeMargin)
	var changed []int64
	if err := db.Table("activities").Where("updated_at >= ?", since).Pluck("id", &changed).Error; err != nil {
		return nil, fmt.Errorf("list changed activities: %w", err)
	}
	members, err := scanFeedItems(q.Where("activities.updated_at >= ?", since))
	if err != nil {
		return nil, err
	}
	// A member written after the changed ids were read is current too.
	gone := make(map[int64]bool, len(changed)+len(members))
	for _, id := range changed {
		gone[id] = true
	}
	for _, it := range members {
		gone[it.ID] = true
	}
	out := make([]models.FeedItem, 0, len(prev.Items)+len(members))
	for _, it := range prev.Items {
		if !gone[it.ID] {
			out = append(out, it)
		}
	}
	out = append(out, members...)
	slices.SortFunc(out, func(a, b models.FeedItem) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
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

// occurrenceForm is how a feed query finds the activities occurring in
// its window.
type occurrenceForm uint8

const (
	// byRange collects the ids of the occurrences in the window through
	// their start index, then looks the activities up: cheap when the
	// window holds a small part of the occurrences.
	byRange occurrenceForm = iota
	// perActivity asks, for each activity the rest of the query selects,
	// whether one of its occurrences is in the window (their primary key).
	perActivity
)

// listingForm chooses the form of a full listing: perActivity on SQLite
// when the window spans most of the time that occurrences span (the
// default window of a feed spans all of it but the past beyond 90 days),
// where byRange would first insert every occurrence of almost every
// activity into a temporary index (a third of the listing's time with
// the pure-Go driver: 47-67 against 30-47 ms for 10,000 activities);
// byRange otherwise, and on PostgreSQL, whose plans were not measured
// with the other form. The span is two ends of the start index.
func (s *Store) listingForm(db *gorm.DB, w models.FeedWindow) (occurrenceForm, error) {
	if wide, err := spansMostOccurrences(db, w.From, w.To); err != nil || !wide {
		return byRange, err
	}
	return perActivity, nil
}

// feedQuery selects what a feed publishes: the activities its owner may
// see, matching its filter, with an occurrence in the window, plus cancelled
// and deleted ones changed within the retention period (so that subscribed
// clients remove them). ok is false when the feed is empty by its filter.
// form is how occurrences in the window are found: perActivity also when
// the query will be narrowed to a few activities.
func (s *Store) feedQuery(db *gorm.DB, f *models.Feed, w models.FeedWindow, form occurrenceForm) (q *gorm.DB, ok bool, err error) {
	v, err := viewerFeed(f, db)
	if err != nil {
		return nil, false, fmt.Errorf("owner's visibility: %w", err)
	}
	cutoff := s.now().Add(-w.Retention)
	q = db.Table("activities").Scopes(visibleActivities(v)).
		Where("(activities.deleted_at IS NULL OR activities.deleted_at > ?)", cutoff).
		Where("(activities.status <> 'cancelled' OR activities.updated_at > ?)", cutoff)
	if form == perActivity {
		// Per activity through the occurrences' primary key: cheap for the
		// handful of rows a change touches, where the range form would
		// first collect every activity occurring in the window.
		q = q.Where("EXISTS (SELECT 1 FROM occurrences o WHERE o.activity_id = activities.id AND o.start_s < ? AND o.end_s > ?)", w.To.Unix(), w.From.Unix())
	} else if q, err = occurringIn(db, q, w.From, w.To); err != nil {
		return nil, false, err
	}
	q, ok = applyFeedFilter(db, q, f.Filter)
	return q, ok, nil
}

// FeedViewReader reads activities a FeedContents listed, for rendering the
// ones a cache does not hold, a part at a time: a large feed is read and
// rendered in chunks so that its views are never all in memory, and the
// names read for one chunk serve the next. The ids come from FeedContents,
// which already applied the owner's visibility.
type FeedViewReader struct {
	views *viewLoader
}

// FeedViewReader starts reading a feed's activities.
func (s *Store) FeedViewReader(ctx context.Context) *FeedViewReader {
	return &FeedViewReader{views: newViewLoader(s.db.WithContext(ctx))}
}

// ErrFeedChanged: an activity a feed listed was written between the
// listing and the reading of its row.
var ErrFeedChanged = errors.New("an activity of the feed changed while the feed was assembled")

// Read loads the views of the listed items, in their order; an item no
// longer stored is left out. A row of another version than the listing's
// was written since, and may no longer be one the feed's owner may see:
// Read then returns ErrFeedChanged and no views, and the feed is to be
// listed afresh.
func (r *FeedViewReader) Read(items []models.FeedItem) ([]models.ActivityView, error) {
	ids := make([]int64, len(items))
	listed := make(map[int64]int, len(items))
	for i, it := range items {
		ids[i], listed[it.ID] = it.ID, it.Version
	}
	views, err := r.views.load(ids)
	if err != nil {
		return nil, fmt.Errorf("load %d feed activities: %w", len(ids), err)
	}
	for _, v := range views {
		if v.Version != listed[v.ID] {
			return nil, ErrFeedChanged
		}
	}
	return views, nil
}

// applyFeedFilter narrows q by a feed filter; ok is false when a filter
// names nothing that exists any more (the feed is then empty, not wider).
func applyFeedFilter(db *gorm.DB, q *gorm.DB, f models.FeedFilter) (*gorm.DB, bool) {
	ids := func(table, column string, refs []string) ([]int64, bool) {
		var out []int64
		for _, r := range refs {
			if id, err := resolve(db, table, column, models.Ref(r)); err == nil {
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
