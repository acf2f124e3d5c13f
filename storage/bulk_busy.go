package storage

import (
	"fmt"
	"time"

	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// busyBucket is the width of the time buckets of a busyIndex: a week keeps
// a resource's bucket short while an occurrence of a few hours touches one
// or two of them.
const busyBucket = 7 * 24 * 3600

// busyKey is one resource's bucket of a busyIndex.
type busyKey struct {
	typ    planning.ResourceType
	id     int64
	bucket int64
}

// busyEntry is one occupancy row in memory (Unix seconds), compact so that
// the occupancy of 100,000 activities fits in a few tens of megabytes.
type busyEntry struct {
	activityID int64
	startS     int64
	endS       int64
	kind       string
	required   bool
	virtual    bool
	proposed   bool
}

// busyIndex is the occupancy index held in memory by a bulk write: every
// row is filed under its resource and the week its start falls in, so the
// neighbourhood of an occurrence is a few short slices instead of a query.
// It answers exactly what loadBusy reads from the occupancy table.
type busyIndex struct {
	rows    map[busyKey][]busyEntry
	longest int64
}

func newBusyIndex() *busyIndex { return &busyIndex{rows: map[busyKey][]busyEntry{}} }

// add files one occupancy row and returns the bucket it went to.
func (ix *busyIndex) add(r occupancyRow) busyKey {
	k := busyKey{typ: planning.ResourceType(r.ResourceType), id: r.ResourceID, bucket: floorDiv(r.StartS, busyBucket)}
	ix.rows[k] = append(ix.rows[k], busyEntry{activityID: r.ActivityID, startS: r.StartS, endS: r.EndS, kind: r.Kind, required: r.Required, virtual: r.Virtual, proposed: r.Proposed})
	ix.longest = max(ix.longest, r.EndS-r.StartS)
	return k
}

// undo removes the rows last added to the buckets keys, newest first (a
// transaction that did not commit).
func (ix *busyIndex) undo(keys []busyKey) {
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i]
		ix.rows[k] = ix.rows[k][:len(ix.rows[k])-1]
	}
}

// load reads the stored occupancy into the index, in pages by id so that
// a large table is never held twice.
func (ix *busyIndex) load(tx *gorm.DB) error {
	var after int64
	for {
		var rows []occupancyRow
		if err := tx.Where("id > ?", after).Order("id").Limit(20000).Find(&rows).Error; err != nil {
			return fmt.Errorf("load: %w", err)
		}
		for _, r := range rows {
			ix.add(r)
		}
		if len(rows) < 20000 {
			break
		}
		after = rows[len(rows)-1].ID
	}
	longest, err := longestOccurrence(tx)
	ix.longest = max(ix.longest, longest)
	return err
}

// busy returns, as loadBusy does, the rows of the claimed resources that
// overlap [from, to); organisations only for exercises, and then only
// their exercise rows.
func (ix *busyIndex) busy(claims []planning.Claim, from, to time.Time, kind string) []planning.Busy {
	exercise := planning.IsExerciseKind(kind)
	f, t := from.Unix(), to.Unix()
	var out []planning.Busy
	seen := map[planning.ResourceRef]bool{}
	for _, c := range claims {
		if (c.Resource.Type == planning.ResourceOrganization && !exercise) || seen[c.Resource] {
			continue
		}
		seen[c.Resource] = true
		for b := floorDiv(f-ix.longest, busyBucket); b <= floorDiv(t-1, busyBucket); b++ {
			for _, e := range ix.rows[busyKey{typ: c.Resource.Type, id: c.Resource.ID, bucket: b}] {
				if e.startS >= t || e.endS <= f || e.startS < f-ix.longest {
					continue
				}
				if c.Resource.Type == planning.ResourceOrganization && !planning.IsExerciseKind(e.kind) {
					continue
				}
				out = append(out, planning.Busy{
					ActivityID: e.activityID, Kind: e.kind, Start: time.Unix(e.startS, 0).UTC(), End: time.Unix(e.endS, 0).UTC(),
					Resource: c.Resource, Required: e.required, Virtual: e.virtual, Proposed: e.proposed,
				})
			}
		}
	}
	return out
}

// floorDiv divides rounding towards minus infinity (instants before 1970
// fall in negative buckets).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
