package storage

import (
	"fmt"
	"sort"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// neighbourhood is what the checks of one deconfliction agenda share: the
// occupancy around the whole window, read in one statement into an
// in-memory index that answers exactly what loadBusy reads, and the
// resource names and other activities' summaries read once for every
// activity of the window instead of once per activity.
type neighbourhood struct {
	index   *busyIndex
	names   *nameCache
	others  map[int64]*summary
	summary map[int64]bool // ids whose summary was read (found or vanished)
	// blocked holds every resource an external calendar blocks: a draft
	// claiming none of them has no external busy time, and its check skips
	// loadExternalBusy (which would find no subscription).
	blocked map[planning.ResourceRef]bool
	// blackouts are every blackout overlapping the window's span, by id,
	// each with all its organisations in id order (blackoutsFor narrows
	// them to what loadBlackouts reads for one draft).
	blackouts []planning.Blackout
}

// subscribed tells whether an external calendar blocks any claimed
// resource.
func (n *neighbourhood) subscribed(claims []planning.Claim) bool {
	for _, c := range claims {
		if n.blocked[c.Resource] {
			return true
		}
	}
	return false
}

// loadNeighbourhood reads the occupancy every draft's check needs: the
// rows of the resources the drafts claim, starting from the earliest draft
// span less the longest occurrence up to the latest span end, without the
// organisation rows of non-exercises (loadBusy never reads them). Only
// the claimed resources are read: nearby asks the index about nothing
// else, and reading every resource's rows in the span scanned the whole
// occupancy table (no index leads with start_s), most of a short window's
// agenda. nil and cancelled drafts are skipped, as their checks are. Its
// name cache is names, the one the window's views were built with, so
// that the names they read are not read again.
func (s *Store) loadNeighbourhood(db *gorm.DB, drafts []*draft, names *nameCache) (*neighbourhood, error) {
	n := &neighbourhood{index: newBusyIndex(), names: names, others: map[int64]*summary{}, summary: map[int64]bool{}}
	var from, to time.Time
	seen := false
	claimed := map[string][]int64{}
	have := map[planning.ResourceRef]bool{}
	for _, d := range drafts {
		if d == nil || models.Status(d.row.Status) == models.StatusCancelled {
			continue
		}
		pad := s.planning.Rules.Buffer
		for _, c := range d.claims {
			pad = max(pad, c.Buffer)
		}
		f, t, ok := span(d.occurrences, pad)
		if !ok {
			continue
		}
		if !seen || f.Before(from) {
			from = f
		}
		if !seen || t.After(to) {
			to = t
		}
		seen = true
		exercise := planning.IsExerciseKind(d.row.Kind)
		for _, c := range d.claims {
			// busy looks at an organisation only for an exercise.
			if have[c.Resource] || (c.Resource.Type == planning.ResourceOrganization && !exercise) {
				continue
			}
			have[c.Resource] = true
			claimed[string(c.Resource.Type)] = append(claimed[string(c.Resource.Type)], c.Resource.ID)
		}
	}
	var cals []models.ExternalCalendar
	if err := db.Select("id", "blocks_type", "blocks_id").Find(&cals).Error; err != nil {
		return nil, fmt.Errorf("load external calendars: %w", err)
	}
	n.blocked = make(map[planning.ResourceRef]bool, len(cals))
	for _, c := range cals {
		n.blocked[planning.ResourceRef{Type: planning.ResourceType(c.BlocksType), ID: c.BlocksID}] = true
	}
	longest, err := longestOccurrence(db)
	if err != nil {
		return nil, fmt.Errorf("longest occurrence: %w", err)
	}
	if seen {
		if n.blackouts, err = windowBlackouts(db, from, to); err != nil {
			return nil, err
		}
		if err := s.loadClaimedInto(db, n.index, claimed, from.Unix()-longest, to.Unix(), from.Unix()); err != nil {
			return nil, fmt.Errorf("load the window's occupancy: %w", err)
		}
	}
	// The bound loadBusy applies is the stored longest occurrence, not the
	// longest row read.
	n.index.longest = longest
	return n, nil
}

// nearby is loadBusy answered from the index: the rows of the claimed
// resources overlapping [from, to), less those of the activity itself;
// the window's blackouts are in memory, so they are always looked at.
func (n *neighbourhood) nearby(_ *gorm.DB, claims []planning.Claim, from, to time.Time, exclude int64, kind string) (nearby, error) {
	return nearby{busy: withoutActivity(n.index.busy(claims, from, to, kind), exclude), subscribed: n.subscribed(claims), blackedOut: true}, nil
}

// withoutActivity drops from rows those of activity id (0: a new activity,
// none), in place.
func withoutActivity(rows []planning.Busy, id int64) []planning.Busy {
	out := rows[:0]
	for _, b := range rows {
		if b.ActivityID != id {
			out = append(out, b)
		}
	}
	return out
}

// describe is describeConflicts with the names and summaries cached across
// the agenda's activities.
func (n *neighbourhood) describe(tx *gorm.DB, v models.Viewer, found []planning.Conflict, d *draft) ([]models.ConflictView, error) {
	refs := make([]planning.ResourceRef, len(found))
	for i, c := range found {
		refs[i] = c.Resource
	}
	if err := n.names.prefetch(refs); err != nil {
		return nil, err
	}
	if ids := otherIDs(found, n.summary); len(ids) > 0 {
		got, err := loadSummaryIDs(tx, ids)
		if err != nil {
			return nil, err
		}
		for id, s := range got {
			n.others[id] = s
		}
	}
	// Blackouts are described from the window's read, the rest as a
	// single check describes them.
	out := make([]models.ConflictView, len(found))
	var rest []planning.Conflict
	var at []int
	for i, c := range found {
		if b, ok := n.blackout(c); ok {
			res, err := n.names.resource(string(c.Resource.Type), c.Resource.ID)
			if err != nil {
				return nil, err
			}
			out[i] = blackoutView(c, b, res, zoneOfDraft(d))
			continue
		}
		rest = append(rest, c)
		at = append(at, i)
	}
	views, err := describeWith(tx, v, rest, d, n.names, n.others)
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		out[i] = views[j]
	}
	return out, nil
}

// blackout finds the blackout a conflict is with among the window's.
func (n *neighbourhood) blackout(c planning.Conflict) (planning.Blackout, bool) {
	if c.BlackoutID == 0 || c.Rule == planning.RuleExternalBusy {
		return planning.Blackout{}, false
	}
	i := sort.Search(len(n.blackouts), func(i int) bool { return n.blackouts[i].ID >= c.BlackoutID })
	if i < len(n.blackouts) && n.blackouts[i].ID == c.BlackoutID {
		return n.blackouts[i], true
	}
	return planning.Blackout{}, false
}

// zoneOfDraft is the zone conflicts are described in: the activity's
// own, UTC when it has none or it does not load. planning.LoadZone keeps
// the zones it loaded (time.LoadLocation was 90 % of describing an
// agenda's conflicts); "Local", which it refuses, loads as before.
func zoneOfDraft(d *draft) *time.Location {
	tz := d.row.TimeZone
	if tz == "Local" {
		return time.Local
	}
	if l, err := planning.LoadZone(tz); err == nil && tz != "" {
		return l
	}
	return time.UTC
}

// blackoutView is describeWith's view of a conflict with blackout b.
func blackoutView(c planning.Conflict, b planning.Blackout, res models.ResourceView, loc *time.Location) models.ConflictView {
	bs, be := b.Start.In(loc), b.End.In(loc)
	return models.ConflictView{
		Rule: c.Rule, Severity: string(c.Severity), Resource: res,
		Occurrence: models.SpanView{Start: c.Occurrence.Start.In(loc), End: c.Occurrence.End.In(loc)},
		Overlap:    models.SpanView{Start: c.Overlap.Start.In(loc), End: c.Overlap.End.In(loc)},
		Other:      models.OtherView{BlackoutID: b.ID, Title: b.Title, Start: &bs, End: &be},
	}
}

// windowBlackouts reads every blackout overlapping [from, to) with its
// organisations, in one statement.
func windowBlackouts(db *gorm.DB, from, to time.Time) ([]planning.Blackout, error) {
	out, err := readBlackouts(db.Where("blackouts.end_at > ? AND blackouts.start_at < ?", from.UTC(), to.UTC()))
	if err != nil {
		return nil, fmt.Errorf("read the window's blackouts: %w", err)
	}
	return out, nil
}

// blackoutsFor is loadBlackouts answered from the window's blackouts: those
// of orgs overlapping [from, to), each naming only the organisations of
// orgs.
func (n *neighbourhood) blackoutsFor(_ *gorm.DB, orgs []int64, from, to time.Time) ([]planning.Blackout, error) {
	return blackoutsOf(n.blackouts, orgs, from, to), nil
}

// preload fills the name and summary caches before the checks run, so
// that describing the window's conflicts reads nothing more: the
// summaries of the window's own activities from their views (the actor
// sees them; loadSummaryIDs would read the same title, restriction and
// visibility), those of every other activity of the occupancy read in
// one query per chunk, and the names of every resource a draft claims.
func (n *neighbourhood) preload(tx *gorm.DB, views []models.ActivityView, drafts []*draft) error {
	for i := range views {
		v := &views[i]
		if v.Title == "" && !v.Restricted {
			continue // read as loadSummaryIDs reads it (a vanished one)
		}
		n.others[v.ID] = &summary{id: v.ID, title: v.Title, restricted: v.Restricted, allowed: v.Allowed}
		n.summary[v.ID] = true
	}
	var ids []int64
	for _, e := range n.index.entries {
		if !n.summary[e.activityID] {
			n.summary[e.activityID] = true
			ids = append(ids, e.activityID)
		}
	}
	for _, chunk := range chunksOf(uniqueIDs(ids)) {
		got, err := loadSummaryIDs(tx, chunk)
		if err != nil {
			return err
		}
		for id, s := range got {
			n.others[id] = s
		}
	}
	var refs []planning.ResourceRef
	seen := map[planning.ResourceRef]bool{}
	for _, d := range drafts {
		if d == nil {
			continue
		}
		for _, c := range d.claims {
			if !seen[c.Resource] {
				seen[c.Resource] = true
				refs = append(refs, c.Resource)
			}
		}
	}
	for len(refs) > 0 {
		chunk := refs[:min(len(refs), viewChunk)]
		refs = refs[len(chunk):]
		if err := n.names.prefetch(chunk); err != nil {
			return err
		}
	}
	return nil
}
