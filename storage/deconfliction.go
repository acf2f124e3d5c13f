package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// ActivityConflicts reports the conflicts a stored activity has now with
// everything else booked, as if it were being booked again.
func (s *Store) ActivityConflicts(ctx context.Context, a models.Actor, id int64) (models.CheckReport, error) {
	cur, err := s.GetActivity(ctx, a, id)
	if err != nil {
		return models.CheckReport{}, err
	}
	return s.CheckActivity(ctx, a, id, cur.Input())
}

// maxReportActivities is the most activities the agenda of a whole
// window covers (its work and its answer grow with them): a window
// holding more is refused, and its agenda is asked a page at a time.
const maxReportActivities = 5000

// ListConflicts reports every conflict among stored activities with an
// occurrence in [From, To): the planners' deconfliction agenda. Each pair
// is reported once, from the side the actor may see (the other side is
// masked when restricted).
func (s *Store) ListConflicts(ctx context.Context, a models.Actor, f models.ConflictFilter) ([]models.ListedConflict, error) {
	return s.listConflicts(ctx, a, f, true)
}

// listConflicts is ListConflicts with the neighbourhood shared across the
// window's activities or, for comparison in tests, read for each alone.
func (s *Store) listConflicts(ctx context.Context, a models.Actor, f models.ConflictFilter, shared bool) ([]models.ListedConflict, error) {
	if err := checkConflictFilter(f); err != nil {
		return nil, err
	}
	if !s.agendaGate.Enter(ctx) {
		return nil, models.ErrAgendaBusy
	}
	defer s.agendaGate.Leave()
	whole := agendaPart{from: f.From, to: f.To}
	if shared {
		views, names, err := s.agendaViews(ctx, a, f, true)
		if err != nil {
			return nil, err
		}
		found, err := s.conflictsOf(s.db.WithContext(ctx), a, f, whole, views, names)
		return itemsOf(found), err
	}
	page, err := s.ListActivities(ctx, a, models.ActivityFilter{From: f.From, To: f.To, Organization: f.Organization, ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil {
		return nil, err
	}
	views := page.Items
	for page.NextCursor != "" && len(views) < s.reportCap {
		page, err = s.ListActivities(ctx, a, models.ActivityFilter{From: f.From, To: f.To, Organization: f.Organization, ListOptions: models.ListOptions{Limit: models.MaxLimit, Cursor: page.NextCursor}})
		if err != nil {
			return nil, err
		}
		views = append(views, page.Items...)
	}
	found, err := s.conflictsOf(s.db.WithContext(ctx), a, f, whole, views, nil)
	return itemsOf(found), err
}

// checkConflictFilter refuses an agenda window that is missing, reversed
// or longer than three years, an unknown severity and an unknown rule.
func checkConflictFilter(f models.ConflictFilter) error {
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return &models.ValidationError{Errors: []models.FieldError{{Field: "from", Message: "from and to are required, to after from"}}}
	}
	if f.To.Sub(f.From) > 3*366*24*time.Hour {
		return &models.ValidationError{Errors: []models.FieldError{{Field: "to", Message: "the window may span at most three years"}}}
	}
	if f.Severity != "" && f.Severity != "hard" && f.Severity != "soft" {
		return &models.ValidationError{Errors: []models.FieldError{{Field: "severity", Message: "want hard or soft"}}}
	}
	if f.Rule != "" {
		v := &models.ValidationError{}
		models.CheckEnum(v, "rule", f.Rule, models.ConflictRules()...)
		return v.OrNil()
	}
	return nil
}

// conflictsOf is the part of the agenda of f's window that part names:
// the clashes of its views with everything else booked (clashesOf) and
// the reply agenda's items, each placed, under f's severity and rule (less
// the accepted clashes when f hides them), in the agenda's order. With names, the names the views were built with,
// the neighbourhood is loaded once for all views (one occupancy read, one
// name and summary cache, starting from names); without (nil) each
// activity reads its own, as a single check does — the reference the
// shared path is tested against.
func (s *Store) conflictsOf(db *gorm.DB, a models.Actor, f models.ConflictFilter, part agendaPart, views []models.ActivityView, names *nameCache) ([]placedConflict, error) {
	shared := names != nil
	replyRule := f.Rule == models.RuleRequiredDeclined || f.Rule == models.RuleRequiredNoReply
	out := []placedConflict{}
	if !replyRule { // a reply rule asks for no check
		var err error
		if out, err = s.clashesOf(db, a, f, part, views, names); err != nil {
			return nil, err
		}
	}
	if f.Severity != "hard" && (f.Rule == "" || replyRule) {
		agenda, err := s.replyItems(db, a, views, part.from, part.to, shared)
		if err != nil {
			return nil, err
		}
		out = placeReplies(out, agenda, part, f.Rule)
	}
	if f.HideAccepted {
		// Here, before a page takes its items, so that a page is full of
		// clashes still to settle and its cursor goes on from them.
		var err error
		if out, err = unaccepted(db, out); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, comparePlaced)
	return out, nil
}

// placeReplies adds to out the reply items the part holds (of rule, when
// set). Two occurrences of one activity may share a span (an instance
// moved onto the next one's slot): they make one item, with every person
// of either in name order, so that no two items share a place and the
// item is the same whichever occurrence came first.
func placeReplies(out []placedConflict, agenda []models.ListedConflict, part agendaPart, rule string) []placedConflict {
	seen := map[string]int{} // reply key → index in out
	for _, item := range agenda {
		if !part.holds(item.Overlap.Start) || (rule != "" && item.Rule != rule) {
			continue
		}
		key := strings.Join([]string{item.Rule, strconv.FormatInt(item.Activity.ID, 10),
			strconv.FormatInt(item.Overlap.Start.Unix(), 10), strconv.FormatInt(item.Overlap.End.Unix(), 10)}, "|")
		k, ok := seen[key]
		if !ok {
			seen[key] = len(out)
			out = append(out, placed(item.Overlap.Start, item))
			continue
		}
		merged := out[k].item
		for _, r := range item.Resources {
			if !hasResource(merged.Resources, r) {
				merged.Resources = append(merged.Resources, r)
			}
		}
		slices.SortFunc(merged.Resources, func(a, b models.ResourceView) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
		})
		merged.Resource = merged.Resources[0]
		out[k] = placed(out[k].place.at, merged)
	}
	return out
}

// clashesOf is conflictsOf's clashes: each view checked against
// everything else booked, each clash once (pairKey), placed.
func (s *Store) clashesOf(db *gorm.DB, a models.Actor, f models.ConflictFilter, part agendaPart, views []models.ActivityView, names *nameCache) ([]placedConflict, error) {
	shared := names != nil
	drafts, err := s.draftsOf(db, views, names)
	if err != nil {
		return nil, err
	}
	// An item without an overlap of its own (an external calendar out of
	// date) is placed at its activity's first occurrence in the whole
	// window, whichever part is computed.
	first := make([]time.Time, len(drafts))
	for i, d := range drafts {
		if d != nil {
			if in := within(d.occurrences, f.From, f.To); len(in) > 0 {
				first[i] = in[0].Start
			}
			d.occurrences = within(d.occurrences, part.from, part.to)
		}
	}
	var around *neighbourhood
	if shared {
		if around, err = s.loadNeighbourhood(db, drafts, names); err != nil {
			return nil, err
		}
		if err := around.preload(db, views, drafts); err != nil {
			return nil, err
		}
	}
	reports, family, err := s.checkAll(db, a, views, drafts, around)
	if err != nil {
		return nil, err
	}
	out := []placedConflict{}
	seen := map[string]int{} // clash key → index in out
	for i := range views {
		v, d := &views[i], drafts[i]
		if d == nil {
			continue
		}
		report := reports[i]
		for _, c := range append(report.Conflicts, report.Warnings...) {
			if (f.Severity != "" && c.Severity != f.Severity) || (f.Rule != "" && c.Rule != f.Rule) {
				continue
			}
			at := c.Overlap.Start
			if at.IsZero() {
				at = first[i]
			}
			if !part.holds(at) {
				continue // another part's (every copy of a clash has the same overlap)
			}
			if o := c.Other.ActivityID; o != 0 && o != v.ID {
				related, err := family(v.ID, o)
				if err != nil {
					return nil, err
				}
				if related {
					continue // an exercise and its own phase are one plan, not a clash
				}
			}
			key := pairKey(v.ID, c)
			if k, ok := seen[key]; ok {
				if !hasResource(out[k].item.Resources, c.Resource) {
					out[k].item.Resources = append(out[k].item.Resources, c.Resource)
				}
				continue
			}
			seen[key] = len(out)
			out = append(out, placed(at, models.ListedConflict{Activity: models.ActivityRef{ID: v.ID, Title: v.Title}, ConflictView: c, Resources: []models.ResourceView{c.Resource}}))
		}
	}
	return out, nil
}

// checkAll checks each draft (nil: none) against everything else booked,
// around the shared neighbourhood when it is set, and returns the reports
// with the exercise-family test; the shared path reads the parents of
// every clashing activity outside the window at once.
func (s *Store) checkAll(db *gorm.DB, a models.Actor, views []models.ActivityView, drafts []*draft, around *neighbourhood) ([]models.CheckReport, func(a, b int64) (bool, error), error) {
	reports := make([]models.CheckReport, len(drafts))
	// Without the shared neighbourhood each draft reads its own (a nil
	// *neighbourhood must not become a non-nil surroundings).
	var reads surroundings = storeReads{}
	if around != nil {
		reads = around
	}
	var others []int64
	for i, d := range drafts {
		if d == nil {
			continue
		}
		var err error
		if reports[i], err = s.evaluateIn(db, a, d, reads); err != nil {
			return nil, nil, err
		}
		for _, c := range append(reports[i].Conflicts, reports[i].Warnings...) {
			if c.Other.ActivityID != 0 {
				others = append(others, c.Other.ActivityID)
			}
		}
	}
	parents := map[int64]int64{}
	var settled []int64 // activities whose parent is in parents if they have one
	for _, v := range views {
		if v.Parent != nil {
			parents[v.ID] = *v.Parent
		}
		if around != nil {
			settled = append(settled, v.ID)
		}
	}
	if around == nil {
		others = nil // each activity's parent is read when first met
	}
	family, err := familyOf(db, parents, settled, others)
	return reports, family, err
}

// replyItems lists the reply agenda's items, with the recipients and
// answers of the window read once when shared, and then only for the
// activities that may have an item (awaitingReplies).
func (s *Store) replyItems(db *gorm.DB, a models.Actor, views []models.ActivityView, from, to time.Time, shared bool) ([]models.ListedConflict, error) {
	pending := func(v *models.ActivityView, occs []occurrenceRow) ([]pendingOccurrence, error) {
		return requiredPending(db, v, occs)
	}
	if shared {
		if !a.MayBook() {
			return nil, nil // replyAgenda lists nothing for them
		}
		awaiting, as, err := s.awaitingReplies(db, views, from, to)
		if err != nil {
			return nil, err
		}
		views = awaiting
		book, err := loadRecipientBook(db, views, as)
		if err != nil {
			return nil, err
		}
		pending = func(v *models.ActivityView, occs []occurrenceRow) ([]pendingOccurrence, error) {
			return book.requiredPending(v, occs), nil
		}
	}
	return s.replyAgenda(db, a, views, from, to, pending)
}

// awaitingReplies narrows views to those the reply agenda of [from, to)
// may list, with their answers: an item is a required person's decline,
// or a required person's silence about an occurrence starting within the
// chase period. No occurrence overlapping the window can start within it
// when the window ends by now or begins a longest occurrence after its
// end; then only the activities with a declined answer can give an item,
// and at 100,000 activities that is most windows and almost no activity.
// The answers are read once, here, for the recipient book.
func (s *Store) awaitingReplies(db *gorm.DB, views []models.ActivityView, from, to time.Time) ([]models.ActivityView, map[int64]answers, error) {
	var ids []int64
	for i := range views {
		if replyCandidate(&views[i]) {
			ids = append(ids, views[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil, map[int64]answers{}, nil
	}
	as, err := loadAnswersOf(db, ids)
	if err != nil {
		return nil, nil, err
	}
	chasing := false
	if now := s.now(); s.reminders.Chase > 0 && to.After(now) {
		longest, err := longestOccurrence(db)
		if err != nil {
			return nil, nil, fmt.Errorf("longest occurrence: %w", err)
		}
		chasing = from.Before(now.Add(s.reminders.Chase).Add(time.Duration(longest) * time.Second))
	}
	if chasing {
		return views, as, nil
	}
	var out []models.ActivityView
	for i := range views {
		if v := &views[i]; replyCandidate(v) && as[v.ID].anyDeclined() {
			out = append(out, *v)
		}
	}
	return out, as, nil
}

// pairKey identifies a clash independently of which side reports it and
// of which shared resource: the rule, the two sides and the overlap.
// Blackouts and external calendars count as sides of their own.
func pairKey(self int64, c models.ConflictView) string {
	a, b := self, c.Other.ActivityID
	switch {
	case c.Other.BlackoutID != 0:
		b = -c.Other.BlackoutID
	case c.Other.ExternalCalendarID != 0:
		b = -1_000_000_000 - c.Other.ExternalCalendarID
	case c.Other.Restricted || b == 0:
		b = 0
	}
	if b > 0 && b < a {
		a, b = b, a
	}
	key := []string{c.Rule, strconv.FormatInt(a, 10), strconv.FormatInt(b, 10), c.Overlap.Start.UTC().Format(time.RFC3339), c.Overlap.End.UTC().Format(time.RFC3339)}
	if b == 0 {
		// A masked side cannot be told apart from another masked one; keep
		// its resource so that two hidden clashes stay two.
		key = append(key, c.Resource.Type, strconv.FormatInt(c.Resource.ID, 10))
	}
	return strings.Join(key, "|")
}

// hasResource tells whether rs already names r.
func hasResource(rs []models.ResourceView, r models.ResourceView) bool {
	for _, x := range rs {
		if x.Type == r.Type && x.ID == r.ID {
			return true
		}
	}
	return false
}

// familyOf returns a test of whether two activities are parent and child
// (an exercise and its own phase). known holds the parents already loaded,
// and settled the activities whose parent known holds if they have one;
// those of prefetch are read at once (one query per chunk), others from
// the database once each.
func familyOf(db *gorm.DB, known map[int64]int64, settled, prefetch []int64) (func(a, b int64) (bool, error), error) {
	loaded := map[int64]bool{}
	for id := range known {
		loaded[id] = true
	}
	for _, id := range settled {
		loaded[id] = true
	}
	var missing []int64
	for _, id := range prefetch {
		if !loaded[id] {
			missing = append(missing, id)
		}
	}
	for _, chunk := range chunksOf(uniqueIDs(missing)) {
		var rows []struct {
			ID       int64
			ParentID *int64
		}
		if err := db.Table("activities").Select("id, parent_id").Where("id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the parents of the clashing activities: %w", err)
		}
		for _, r := range rows {
			if r.ParentID != nil {
				known[r.ID] = *r.ParentID
			}
		}
		for _, id := range chunk {
			loaded[id] = true
		}
	}
	parentOf := func(id int64) (int64, error) {
		if !loaded[id] {
			var rows []struct {
				ParentID *int64
			}
			if err := db.Table("activities").Select("parent_id").Where("id = ?", id).Scan(&rows).Error; err != nil {
				return 0, fmt.Errorf("load parent of activity %d: %w", id, err)
			}
			if len(rows) == 1 && rows[0].ParentID != nil {
				known[id] = *rows[0].ParentID
			}
			loaded[id] = true
		}
		return known[id], nil
	}
	return func(a, b int64) (bool, error) {
		pa, err := parentOf(a)
		if err != nil {
			return false, err
		}
		pb, err := parentOf(b)
		if err != nil {
			return false, err
		}
		return pa == b || pb == a, nil
	}, nil
}

func within(occs []planning.Occurrence, from, to time.Time) []planning.Occurrence {
	var out []planning.Occurrence
	for _, o := range occs {
		if o.Start.Before(to) && o.End.After(from) {
			out = append(out, o)
		}
	}
	return out
}

// draftsOf builds the drafts of the views (nil for cancelled ones): for
// the shared agenda from one read of the window's references, parents and
// answers, with the coordination of its exercises read once; otherwise
// one buildDraft each, as a single check does.
func (s *Store) draftsOf(db *gorm.DB, views []models.ActivityView, names *nameCache) ([]*draft, error) {
	if names != nil {
		drafts, err := s.agendaDrafts(db, views, names)
		if err != nil {
			return nil, err
		}
		return drafts, coordinateAll(db, drafts)
	}
	drafts := make([]*draft, len(views))
	for i := range views {
		v := &views[i]
		if models.Status(v.Status) == models.StatusCancelled {
			continue
		}
		d, err := s.buildDraft(db, models.System().Viewer(), v.Input(), v.ID)
		if err != nil {
			return nil, fmt.Errorf("activity %d: %w", v.ID, err)
		}
		drafts[i] = d
	}
	return drafts, nil
}
