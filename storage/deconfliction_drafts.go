package storage

import (
	"context"
	"fmt"
	"sort"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// agendaViews lists the activities of the agenda's window the actor may
// see (of f.Kinds when set), by id, with one query for the ids instead of
// a count and a page query per page. whole is a whole window's agenda,
// which covers at most s.reportCap activities: a window holding more is
// refused (a validation error naming to) rather than answered in part;
// a page's parts are bounded by the occurrences they span instead. It
// also returns the names the views were built with (lead organisations,
// participants, visibility), for the drafts and the checks to take
// instead of reading them again.
func (s *Store) agendaViews(ctx context.Context, a models.Actor, f models.ConflictFilter, whole bool) ([]models.ActivityView, *nameCache, error) {
	db := s.db.WithContext(ctx)
	l := newViewLoader(db)
	q, none, err := filteredActivities(db, a, models.ActivityFilter{From: f.From, To: f.To, Organization: f.Organization, ListOptions: models.ListOptions{Limit: models.MaxLimit}})
	if err != nil || none {
		return []models.ActivityView{}, l.names, err
	}
	if len(f.Kinds) > 0 {
		q = q.Where("activities.kind IN ?", models.EnumNames(f.Kinds))
	}
	var ids []int64
	if whole {
		q = q.Limit(s.reportCap + 1)
	}
	if err := q.Order("activities.id").Pluck("activities.id", &ids).Error; err != nil {
		return nil, nil, fmt.Errorf("list the window's activities: %w", err)
	}
	if whole && len(ids) > s.reportCap {
		return nil, nil, &models.ValidationError{Errors: []models.FieldError{{Field: "to", Message: fmt.Sprintf(
			"the window holds more than %d activities: ask for its agenda a page at a time (limit), or for a shorter window", s.reportCap)}}}
	}
	views, err := l.load(ids)
	if err != nil {
		return nil, nil, fmt.Errorf("load the window's activities: %w", err)
	}
	return views, l.names, nil
}

// agendaDrafts builds the drafts of the agenda's views (nil for cancelled
// ones) as buildDraft does for the system, with what buildDraft reads for
// each activity — its references, parent, overrides and answers — read
// once for the whole window: the references from the views and the names
// they were built with (refsOfViews), those missing with one query per
// table (resolveBulkRefs), the parents and the answers in one query per
// chunk, the overrides from the views. A view whose draft meets any
// problem is built again by buildDraft, so that an invalid stored
// activity fails the agenda with the very error the single path gives.
func (s *Store) agendaDrafts(db *gorm.DB, views []models.ActivityView, names *nameCache) ([]*draft, error) {
	items := make([]models.BulkActivity, 0, len(views))
	var ids, parentIDs []int64
	for i := range views {
		v := &views[i]
		if models.Status(v.Status) == models.StatusCancelled {
			continue
		}
		items = append(items, models.BulkActivity{Input: v.Input()})
		ids = append(ids, v.ID)
		if v.Parent != nil {
			parentIDs = append(parentIDs, *v.Parent)
		}
	}
	refs, err := resolveBulkRefs(db, items, refsOfViews(names, views))
	if err != nil {
		return nil, err
	}
	parents, err := liveKinds(db, parentIDs)
	if err != nil {
		return nil, err
	}
	answersBy, err := loadAnswersOf(db, ids)
	if err != nil {
		return nil, err
	}
	drafts := make([]*draft, len(views))
	for i := range views {
		v := &views[i]
		if models.Status(v.Status) == models.StatusCancelled {
			continue
		}
		d := s.agendaDraft(refs, parents, answersBy[v.ID], v)
		if d == nil {
			if d, err = s.buildDraft(db, models.System().Viewer(), v.Input(), v.ID); err != nil {
				return nil, fmt.Errorf("activity %d: %w", v.ID, err)
			}
		}
		drafts[i] = d
	}
	return drafts, nil
}

// refsOfViews is what the views and the names they were built with tell
// of references: each code or address read stands for its row's id (both
// are unique), each venue a view shows for its row. A code that reads as
// a number is left out, since resolveMany looks such a reference up as an
// id, as is a name not found (no code).
func refsOfViews(names *nameCache, views []models.ActivityView) *bulkRefs {
	out := &bulkRefs{ids: map[string]map[models.Ref]int64{}, venues: map[int64]models.Venue{}}
	// know records a code for its id, and reports whether it did.
	know := func(table string, code string, id int64) bool {
		if _, number := models.Ref(code).ID(); code == "" || number {
			return false
		}
		if out.ids[table] == nil {
			out.ids[table] = map[models.Ref]int64{}
		}
		out.ids[table][models.Ref(code)] = id
		return true
	}
	for _, r := range names.cache {
		if t, ok := nameTables[r.Type]; ok {
			know(t[0], r.Code, r.ID)
		}
	}
	for i := range views {
		if ven := views[i].VenueDetail; ven != nil && ven.ID != 0 {
			if know("venues", ven.Code, ven.ID) {
				out.venues[ven.ID] = *ven
			}
		}
	}
	return out
}

// agendaDraft is buildDraft for a stored activity with its references
// taken from refs and parents and its answers given; nil when anything
// would be a validation error (the caller then asks buildDraft).
func (s *Store) agendaDraft(refs *bulkRefs, parents map[int64]string, as answers, view *models.ActivityView) *draft {
	in := view.Input()
	v := &models.ValidationError{}
	reminders := in.CheckFields(v)
	d := &draft{input: in}
	if in.LeadOrganization == "" {
		return nil
	}
	lead := refs.field(v, "lead_organization", "organizations", in.LeadOrganization)
	var venue models.Venue
	if vid := refs.field(v, "venue", "venues", in.Venue); vid != 0 {
		venue = refs.venues[vid]
	}
	var parent *int64
	if view.Parent != nil {
		pid := *view.Parent
		kind, found := parents[pid]
		if !found || pid == view.ID || (models.Kind(in.Kind) == models.KindExercisePhase && models.Kind(kind) != models.KindExercise) {
			return nil
		}
		parent = &pid
	}
	if d.resolveVisibility(in.Visibility, lead, func(field string, r models.Ref) int64 {
		return refs.field(v, field, "organizations", r)
	}) {
		return nil
	}
	d.participants = checkParticipants(v, in.Participants, func(field, table string, ref models.Ref) int64 {
		return refs.field(v, field, table, ref)
	})
	if len(v.Errors) > 0 {
		return nil
	}
	// The stored overrides, as loadOverrides reads them, from the view.
	ovs := make([]planning.Override, len(view.Overrides))
	for i, o := range view.Overrides {
		ovs[i] = planning.Override{RecurrenceID: o.RecurrenceID.UTC(), Cancelled: o.Cancelled, Start: o.Start.UTC(), End: o.End.UTC()}
	}
	series := in
	series.Overrides = &ovs
	rec, err := s.draftSeries(nil, series, view.ID, v, d)
	if err != nil {
		return nil
	}
	d.setRow(view.ID, rec.RRule, reminders, lead, venue, parent)
	if as == nil {
		as = answers{}
	}
	d.setAnswers(as)
	return d
}

// liveKinds reads the kind of each live activity of ids the system sees,
// as resolveParent looks a parent up: absent ones are missing.
func liveKinds(db *gorm.DB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, chunk := range chunksOf(uniqueIDs(ids)) {
		var rows []struct {
			ID   int64
			Kind string
		}
		if err := db.Table("activities").Scopes(visibleActivities(models.System().Viewer())).Select("activities.id, activities.kind").
			Where("activities.id IN ? AND activities.deleted_at IS NULL", chunk).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the parents of the window's activities: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r.Kind
		}
	}
	return out, nil
}

// loadAnswersOf is loadAnswers for many activities, one query per chunk;
// an activity without answers is absent.
func loadAnswersOf(db *gorm.DB, ids []int64) (map[int64]answers, error) {
	out := map[int64]answers{}
	for _, chunk := range chunksOf(ids) {
		var rows []replyRow
		if err := db.Where("activity_id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the answers to the window's activities: %w", err)
		}
		for _, r := range rows {
			as := out[r.ActivityID]
			if as == nil {
				as = answers{}
				out[r.ActivityID] = as
			}
			if as[r.PersonID] == nil {
				as[r.PersonID] = map[int64]string{}
			}
			as[r.PersonID][r.OccurrenceStartS] = r.PartStat
		}
	}
	return out, nil
}

// coordinateAll sets, for every exercise or exercise phase among drafts,
// the activities it overlaps on purpose, as coordinatedWith reads them
// for one: the members (the exercise and its phases) of its exercise and
// of the exercises paired with it, with one query for the pairs and one
// for the members per chunk.
func coordinateAll(db *gorm.DB, drafts []*draft) error {
	rootOf := map[*draft]int64{}
	var roots []int64
	for _, d := range drafts {
		if d == nil || !planning.IsExerciseKind(d.row.Kind) {
			continue
		}
		root := d.row.ID
		if models.Kind(d.row.Kind) != models.KindExercise {
			root = derefID(d.row.ParentID)
		}
		if root != 0 {
			rootOf[d] = root
			roots = append(roots, root)
		}
	}
	if len(rootOf) == 0 {
		return nil
	}
	partners := map[int64][]int64{}
	roots = uniqueIDs(roots)
	all := append([]int64(nil), roots...) // with the paired exercises
	for _, chunk := range chunksOf(roots) {
		in := setOf(chunk) // a row may come back for two chunks: count it in its own
		var pairs []pacePairRow
		if err := db.Where("first_activity_id IN ? OR second_activity_id IN ?", chunk, chunk).Find(&pairs).Error; err != nil {
			return fmt.Errorf("load the PACE pairs of the window's exercises: %w", err)
		}
		for _, p := range pairs {
			for _, r := range []int64{p.FirstActivityID, p.SecondActivityID} {
				if in[r] {
					other := p.FirstActivityID + p.SecondActivityID - r
					partners[r] = append(partners[r], other)
					all = append(all, other)
				}
			}
		}
	}
	members := map[int64][]int64{}
	for _, chunk := range chunksOf(uniqueIDs(all)) {
		in := setOf(chunk)
		var rows []struct {
			ID       int64
			ParentID *int64
		}
		if err := db.Table("activities").Select("id, parent_id").Where("id IN ? OR parent_id IN ?", chunk, chunk).Scan(&rows).Error; err != nil {
			return fmt.Errorf("load the members of the window's exercises: %w", err)
		}
		for _, r := range rows {
			if in[r.ID] {
				members[r.ID] = append(members[r.ID], r.ID)
			}
			if r.ParentID != nil && in[*r.ParentID] {
				members[*r.ParentID] = append(members[*r.ParentID], r.ID)
			}
		}
	}
	for d, root := range rootOf {
		out := map[int64]bool{}
		for _, r := range append([]int64{root}, partners[root]...) {
			for _, id := range members[r] {
				out[id] = true
			}
		}
		d.coordinated = out
	}
	return nil
}

// uniqueIDs returns ids once each, in ascending order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// setOf is ids as a set.
func setOf(ids []int64) map[int64]bool {
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// chunksOf cuts ids into chunks of at most viewChunk.
func chunksOf(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > 0 {
		n := min(len(ids), viewChunk)
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}
