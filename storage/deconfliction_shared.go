package storage

import (
	"fmt"
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

// loadNeighbourhood reads the occupancy every draft's check needs: rows
// starting from the earliest draft span less the longest occurrence up to
// the latest span end, without the organisation rows of non-exercises
// (loadBusy never reads them). nil drafts are skipped.
func (s *Store) loadNeighbourhood(db *gorm.DB, drafts []*draft) (*neighbourhood, error) {
	n := &neighbourhood{index: newBusyIndex(), names: newNameCache(db), others: map[int64]*summary{}, summary: map[int64]bool{}}
	var from, to time.Time
	seen := false
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
		rows, err := db.Raw("SELECT activity_id, kind, start_s, end_s, resource_type, resource_id, required, virtual, proposed FROM occupancy"+
			" WHERE start_s >= ? AND start_s < ? AND end_s > ? AND (resource_type <> ? OR kind IN ?)",
			from.Unix()-longest, to.Unix(), from.Unix(), string(planning.ResourceOrganization),
			models.EnumNames([]models.Kind{models.KindExercise, models.KindExercisePhase})).Rows()
		if err != nil {
			return nil, fmt.Errorf("load the window's occupancy: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r occupancyRow
			if err := rows.Scan(&r.ActivityID, &r.Kind, &r.StartS, &r.EndS, &r.ResourceType, &r.ResourceID, &r.Required, &r.Virtual, &r.Proposed); err != nil {
				return nil, fmt.Errorf("load the window's occupancy: %w", err)
			}
			n.index.add(r)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load the window's occupancy: %w", err)
		}
	}
	// The bound loadBusy applies is the stored longest occurrence, not the
	// longest row read.
	n.index.longest = longest
	return n, nil
}

// busy is loadBusy answered from the index: the rows of the claimed
// resources overlapping [from, to), less those of the activity itself.
func (n *neighbourhood) busy(claims []planning.Claim, from, to time.Time, exclude int64, kind string) []planning.Busy {
	all := n.index.busy(claims, from, to, kind)
	out := all[:0]
	for _, b := range all {
		if b.ActivityID != exclude {
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
	return describeWith(tx, v, found, d, n.names, n.others)
}
