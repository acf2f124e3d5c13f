package storage

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// placedConflict is a listed conflict with its place in the agenda.
type placedConflict struct {
	place agendaPlace
	item  models.ListedConflict
}

// agendaPlace is where an item stands in the agenda's order, total so
// that a page can resume after any item: at, the start of its overlap or,
// for a warning that has none (an external calendar out of date), the
// start of its activity's first occurrence in the window; then its
// activity; then tie, what tells two items of one activity at one
// instant apart.
type agendaPlace struct {
	at       time.Time
	activity int64
	tie      string
}

// placed puts item at its place.
func placed(at time.Time, item models.ListedConflict) placedConflict {
	o := item.Other
	tie := strings.Join([]string{item.Rule, item.Severity,
		strconv.FormatInt(o.ActivityID, 10), strconv.FormatInt(o.BlackoutID, 10), strconv.FormatInt(o.ExternalCalendarID, 10),
		item.Resource.Type, strconv.FormatInt(item.Resource.ID, 10),
		strconv.FormatInt(item.Occurrence.Start.Unix(), 10), strconv.FormatInt(item.Overlap.End.Unix(), 10)}, ",")
	return placedConflict{place: agendaPlace{at: at, activity: item.Activity.ID, tie: tie}, item: item}
}

// compare orders two places.
func (p agendaPlace) compare(q agendaPlace) int {
	if c := p.at.Compare(q.at); c != 0 {
		return c
	}
	if c := cmp.Compare(p.activity, q.activity); c != 0 {
		return c
	}
	return strings.Compare(p.tie, q.tie)
}

// comparePlaced orders an agenda.
func comparePlaced(a, b placedConflict) int { return a.place.compare(b.place) }

// itemsOf drops the places of an agenda in order.
func itemsOf(found []placedConflict) []models.ListedConflict {
	out := make([]models.ListedConflict, len(found))
	for i, p := range found {
		out[i] = p.item
	}
	return out
}

// agendaPart is the part of an agenda one computation answers: the
// conflicts placed in [lo, hi) (a zero bound is open), found among the
// occurrences that overlap [from, to). An item is placed within its
// occurrence or, for a buffer clash, in the gap up to a buffer before it,
// so every occurrence that can give an item placed in [lo, hi) overlaps
// [lo - 1 s, hi + margin), margin being the longest buffer a check
// applies: a part computed over that span, within the window, holds
// exactly the whole window's items placed in [lo, hi), and the parts of a
// window, one after the other, are its agenda.
type agendaPart struct {
	from, to time.Time
	lo, hi   time.Time
}

// holds tells whether an item placed at at belongs to the part.
func (p agendaPart) holds(at time.Time) bool {
	return (p.lo.IsZero() || !at.Before(p.lo)) && (p.hi.IsZero() || at.Before(p.hi))
}

// Parts are measured in occurrence starts, not hours: a night or a
// weekend costs nothing, and a busy morning is not computed whole for a
// page of ten. The first part of a page spans agendaStarts starts per
// item asked for; a later one as many as the items still missing need at
// the yield seen so far, with a quarter more, at least agendaMinStarts,
// at most agendaGrowth times the part before and never more than
// agendaMaxPartStarts, so that a sparse window takes a few parts, not
// hundreds, and a page nearly full does not compute a day for its last
// item. A page spans at most agendaPageStarts starts: one whose filter
// matches little stops there with what it found and a cursor at the
// edge of the last part. At 100,000 activities that is half a busy
// month, which in parts costs about what the whole month does at once
// (parts overlap at their edges and each reads its own views).
const (
	agendaStarts        = 2
	agendaMinStarts     = 16
	agendaGrowth        = 4
	agendaMaxPartStarts = 2048
	agendaPageStarts    = 4096
)

// nextStarts sizes the next part of a page that still misses need items,
// after parts that spanned spanned starts and gave found items, the last
// of them last starts long.
func nextStarts(need, found, spanned, last int) int {
	n := last * agendaGrowth
	if found > 0 {
		n = min(n, need*spanned*5/(found*4)+1)
	}
	return min(max(n, agendaMinStarts), agendaMaxPartStarts)
}

// ListConflictsPage answers the agenda of f's window one page at a time:
// the first opts.Limit items (models.DefaultLimit when unset) in the
// agenda's order after opts.Cursor, and the cursor of the next page ("" on
// the last). Where ListConflicts computes the whole window, a page
// computes it in parts from its start and stops once the page is full: at
// 100,000 activities a month's agenda is thousands of items, and its first
// page is what a planner waits for. The pages of a window, one after the
// other, are ListConflicts' answer. A page may hold fewer than opts.Limit
// items and still have a next one, when it spent its span
// (agendaPageStarts) before it was full.
func (s *Store) ListConflictsPage(ctx context.Context, a models.Actor, f models.ConflictFilter, opts models.ListOptions) (models.ConflictPage, error) {
	var page models.ConflictPage
	if err := checkConflictFilter(f); err != nil {
		return page, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = models.DefaultLimit
	}
	if limit > models.MaxLimit {
		return page, &models.ValidationError{Errors: []models.FieldError{{Field: "limit", Message: fmt.Sprintf("at most %d", models.MaxLimit)}}}
	}
	after, resume, err := decodeAgendaCursor(opts.Cursor)
	if err != nil {
		return page, err
	}
	if !s.agendaGate.Enter(ctx) {
		return page, models.ErrAgendaBusy
	}
	defer s.agendaGate.Leave()
	db := s.db.WithContext(ctx)
	margin, err := s.agendaMargin(db)
	if err != nil {
		return page, err
	}
	var lo time.Time // open: the first part holds what is placed before the window
	if resume && after.at.After(f.From) {
		lo = after.at
	}
	starts, spanned := min(agendaStarts*(limit+1), agendaMaxPartStarts), 0
	var found []placedConflict
	for {
		part, err := nextPart(db, f, lo, starts, margin)
		if err != nil {
			return page, err
		}
		views, names, err := s.agendaViews(ctx, a, models.ConflictFilter{From: part.from, To: part.to, Organization: f.Organization, Severity: f.Severity, Kinds: f.Kinds}, false)
		if err != nil {
			return page, err
		}
		got, err := s.conflictsOf(db, a, f, part, views, names)
		if err != nil {
			return page, err
		}
		for _, p := range got {
			if !resume || p.place.compare(after) > 0 {
				found = append(found, p)
			}
		}
		if len(found) > limit {
			page.Items = itemsOf(found[:limit])
			page.NextCursor, page.Through = found[limit-1].place.cursor(), found[limit-1].place.at
			return page, nil
		}
		if part.hi.IsZero() {
			page.Items = itemsOf(found)
			return page, nil
		}
		spanned += starts
		lo = part.hi
		if spanned >= s.agendaSpan {
			page.Items = itemsOf(found)
			page.NextCursor, page.Through = agendaPlace{at: lo}.cursor(), lo // before every item placed at lo
			return page, nil
		}
		starts = nextStarts(limit+1-len(found), len(found), spanned, starts)
	}
}

// nextPart is the part of f's window from lo (zero: the window's start,
// open below) spanning starts occurrence starts, or to the window's end
// when fewer remain. Every occurrence that can give an item placed in
// [lo, hi) ends at or after lo (an item is placed within its occurrence
// or in the buffer before it), so the part reaches back a second, and
// forward by margin.
func nextPart(db *gorm.DB, f models.ConflictFilter, lo time.Time, starts int, margin time.Duration) (agendaPart, error) {
	part := agendaPart{from: f.From, to: f.To, lo: lo}
	edge := f.From
	if !lo.IsZero() {
		part.from, edge = maxTime(f.From, lo.Add(-time.Second)), lo
	}
	hi, err := nthStartAfter(db, edge, f.To, starts, f.Kinds)
	if err != nil {
		return part, err
	}
	if !hi.IsZero() {
		part.hi, part.to = hi, minTime(f.To, hi.Add(margin))
	}
	return part, nil
}

// nthStartAfter is the instant just after the n-th occurrence start in
// [edge, to), of activities of kinds when set, read from the
// occurrences' start index; zero when fewer than n start there (the part
// then runs to the window's end).
func nthStartAfter(db *gorm.DB, edge, to time.Time, n int, kinds []models.Kind) (time.Time, error) {
	q := db.Table("occurrences").Where("occurrences.start_s >= ? AND occurrences.start_s < ?", edge.Unix(), to.Unix())
	if len(kinds) > 0 {
		q = q.Joins("JOIN activities ON activities.id = occurrences.activity_id").Where("activities.kind IN ?", models.EnumNames(kinds))
	}
	var starts []int64
	if err := q.Order("occurrences.start_s").Offset(n-1).Limit(1).Pluck("occurrences.start_s", &starts).Error; err != nil {
		return time.Time{}, fmt.Errorf("measure the agenda's next part: %w", err)
	}
	if len(starts) == 0 {
		return time.Time{}, nil
	}
	return time.Unix(starts[0]+1, 0), nil
}

// agendaMargin is the longest buffer a check may apply: the rules' own,
// or a venue's if longer.
func (s *Store) agendaMargin(db *gorm.DB) (time.Duration, error) {
	var longest int64
	if err := db.Raw("SELECT COALESCE(MAX(buffer_seconds), 0) FROM venues").Scan(&longest).Error; err != nil {
		return 0, fmt.Errorf("load the longest venue buffer: %w", err)
	}
	return max(s.planning.Rules.Buffer, time.Duration(longest)*time.Second), nil
}

// cursor is the opaque cursor of the page after p: its instant, activity
// and tie, base64url-encoded. A page that stopped at a part's edge has
// activity 0 and no tie: before every item placed at that instant. It
// names only what the page's viewer saw (the item's own activity, and
// the other side only when it was not masked).
func (p agendaPlace) cursor() string {
	raw := strconv.FormatInt(p.at.UnixNano(), 10) + "|" + strconv.FormatInt(p.activity, 10) + "|" + p.tie
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeAgendaCursor reads a cursor of cursor(); "" is the first page
// (resume false). Anything else is refused as the cursor field.
func decodeAgendaCursor(c string) (after agendaPlace, resume bool, err error) {
	if c == "" {
		return after, false, nil
	}
	bad := &models.ValidationError{Errors: []models.FieldError{{Field: "cursor", Message: "not a cursor this service issued"}}}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return after, false, bad
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return after, false, bad
	}
	at, err1 := strconv.ParseInt(parts[0], 10, 64)
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id < 0 {
		return after, false, bad
	}
	return agendaPlace{at: time.Unix(0, at), activity: id, tie: parts[2]}, true, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
