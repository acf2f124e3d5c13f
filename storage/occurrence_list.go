package storage

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// maxOccurrenceWindow bounds one occurrence query.
const maxOccurrenceWindow = 366 * 24 * time.Hour

// occurrenceKey orders instances: by start, then activity, then original
// start; it is also the cursor.
type occurrenceKey struct{ start, activity, recurrence int64 }

func (k occurrenceKey) cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%d:%d", k.start, k.activity, k.recurrence)))
}

func parseOccurrenceCursor(c string) (occurrenceKey, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(raw), ":")
	if err != nil || len(parts) != 3 {
		return occurrenceKey{}, &models.ValidationError{Errors: []models.FieldError{{Field: "cursor", Message: "not a cursor this service issued"}}}
	}
	var n [3]int64
	for i, p := range parts {
		if n[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return occurrenceKey{}, &models.ValidationError{Errors: []models.FieldError{{Field: "cursor", Message: "not a cursor this service issued"}}}
		}
	}
	return occurrenceKey{n[0], n[1], n[2]}, nil
}

// ListOccurrences lists the expanded instances in a window, earliest
// first, of the activities the actor may see: the same filters and the
// same visibility as ListActivities, since it starts from the same query.
// Cancelled instances are not stored as occurrences, so they are absent.
func (s *Store) ListOccurrences(ctx context.Context, a models.Actor, f models.OccurrenceFilter) (models.Page[models.OccurrenceView], error) {
	return s.listOccurrencesWith(ctx, a, f, visibleOccurrencesIn)
}

// occurrenceQuery builds the query of the occurrences a list pages
// through (a test compares the shapes).
type occurrenceQuery func(db *gorm.DB, a models.Actor, f models.OccurrenceFilter) (q *gorm.DB, none bool, err error)

// listOccurrencesWith is ListOccurrences on the occurrences query builds.
func (s *Store) listOccurrencesWith(ctx context.Context, a models.Actor, f models.OccurrenceFilter, query occurrenceQuery) (models.Page[models.OccurrenceView], error) {
	empty := models.Page[models.OccurrenceView]{Items: []models.OccurrenceView{}}
	v := &models.ValidationError{}
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		v.Add("from", "from and to are required, to after from")
	} else if f.To.Sub(f.From) > maxOccurrenceWindow {
		v.Add("to", "the window may span at most 366 days")
	}
	if err := v.OrNil(); err != nil {
		return empty, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = models.DefaultLimit
	}
	if limit > models.MaxLimit {
		return empty, &models.ValidationError{Errors: []models.FieldError{{Field: "limit", Message: fmt.Sprintf("at most %d", models.MaxLimit)}}}
	}
	db := s.db.WithContext(ctx)
	q, none, err := query(db, a, f)
	if err != nil || none {
		return empty, err
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return empty, fmt.Errorf("count occurrences: %w", err)
	}
	if f.Cursor != "" {
		k, err := parseOccurrenceCursor(f.Cursor)
		if err != nil {
			return empty, err
		}
		// The first term repeats what the three alternatives imply, so
		// that the cursor narrows the index range, not only the rows read.
		q = q.Where("o.start_s >= ? AND ((o.start_s > ?) OR (o.start_s = ? AND o.activity_id > ?) OR (o.start_s = ? AND o.activity_id = ? AND o.recurrence_id > ?))",
			k.start, k.start, k.start, k.activity, k.start, k.activity, k.recurrence)
	}
	var rows []struct {
		ActivityID, RecurrenceID, StartS, EndS int64
	}
	if err := q.Select("o.activity_id, o.recurrence_id, o.start_s, o.end_s").
		Order("o.start_s, o.activity_id, o.recurrence_id").Limit(limit + 1).Scan(&rows).Error; err != nil {
		return empty, fmt.Errorf("list occurrences: %w", err)
	}
	page := models.Page[models.OccurrenceView]{Items: make([]models.OccurrenceView, 0, min(len(rows), limit)), Total: total}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.NextCursor = occurrenceKey{last.StartS, last.ActivityID, last.RecurrenceID}.cursor()
	}
	ids := distinctIDs(len(rows), func(i int) int64 { return rows[i].ActivityID })
	briefs, err := loadBriefs(db, ids)
	if err != nil {
		return empty, err
	}
	for _, r := range rows {
		b, ok := briefs[r.ActivityID]
		if !ok {
			continue // deleted between the two queries
		}
		loc := b.loc
		ov := models.OccurrenceView{Activity: b.ActivityBrief, Start: time.Unix(r.StartS, 0).In(loc), End: time.Unix(r.EndS, 0).In(loc)}
		if r.RecurrenceID != r.StartS {
			rid := time.Unix(r.RecurrenceID, 0).In(loc)
			ov.RecurrenceID = &rid
		}
		page.Items = append(page.Items, ov)
	}
	return page, nil
}

// visibleOccurrencesIn is the query of the stored occurrences overlapping
// [f.From, f.To) whose activity the actor may see and f selects. It
// drives from the window: a range scan of occurrences_window (covering,
// in the list's order; migration 0041) bounded below
// by the longest stored occurrence (read in the same statement), each
// occurrence's activity then checked by a correlated EXISTS on the same
// filtered, visibility-scoped activities query as ListActivities. The
// former shape, "activity_id IN (every matching activity)", made both
// databases start from the list of all visible activities and visit every
// occurrence of each: a second at 100,000 activities. The activity
// filter's own window is left out of the inner query: an occurrence in
// the window already says its activity occurs in it.
func visibleOccurrencesIn(db *gorm.DB, a models.Actor, f models.OccurrenceFilter) (q *gorm.DB, none bool, err error) {
	af := f.ActivityFilter
	af.From, af.To = time.Time{}, time.Time{}
	activities, none, err := filteredActivities(db, a, af)
	if err != nil || none {
		return nil, none, err
	}
	return db.Table("occurrences o").
		Where("o.start_s >= ? - "+longestSQL+" AND o.start_s < ? AND o.end_s > ?", f.From.Unix(), f.To.Unix(), f.From.Unix()).
		Where("EXISTS (?)", activities.Select("1").Where("activities.id = o.activity_id")), false, nil
}

// brief is an ActivityBrief with its loaded zone.
type brief struct {
	models.ActivityBrief
	loc *time.Location
}

// loadBriefs reads the agenda view of activities in one query per chunk.
func loadBriefs(db *gorm.DB, ids []int64) (map[int64]brief, error) {
	out := make(map[int64]brief, len(ids))
	zones := map[string]*time.Location{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []struct {
			ID                  int64
			Title, Kind, Status string
			TimeZone            string
			LeadCode            string
			VenueCode           *string
		}
		err := db.Table("activities a").
			Select("a.id, a.title, a.kind, a.status, a.timezone AS time_zone, o.code AS lead_code, v.code AS venue_code").
			Joins("JOIN organizations o ON o.id = a.lead_organization_id").
			Joins("LEFT JOIN venues v ON v.id = a.venue_id").
			Where("a.id IN ?", chunk).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("load activities of occurrences: %w", err)
		}
		for _, r := range rows {
			loc, ok := zones[r.TimeZone]
			if !ok {
				loc = time.UTC
				if l, err := time.LoadLocation(r.TimeZone); err == nil && r.TimeZone != "" {
					loc = l
				}
				zones[r.TimeZone] = loc
			}
			b := brief{ActivityBrief: models.ActivityBrief{ID: r.ID, Title: r.Title, Kind: r.Kind, Status: r.Status, TimeZone: r.TimeZone, LeadOrganization: r.LeadCode}, loc: loc}
			if r.VenueCode != nil {
				b.Venue = *r.VenueCode
			}
			out[r.ID] = b
		}
	}
	return out, nil
}
