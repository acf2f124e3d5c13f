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

// busyKey is one resource's bucket of a busyIndex. It holds no pointer
// (the resource type is a code, see busyIndex.codes), so neither does the
// map of bucket heads.
type busyKey struct {
	typ    uint8
	id     int64
	bucket int64
}

// busyEntry is one occupancy row in memory (Unix seconds) and the entry
// filed before it in the same bucket. It holds no pointer either (the kind
// is a code): the index of a 100,000-activity generation holds 1.7
// million of them, and entries with a string each made the garbage
// collector scan them all on every cycle, more than half of the
// generation's CPU (docs/PERFORMANCE.md, gen3).
type busyEntry struct {
	activityID int64
	startS     int64
	endS       int64
	// prev is the position, plus one, of the entry filed before this one
	// in its bucket (0: none).
	prev     int32
	kind     uint8
	required bool
	virtual  bool
	proposed bool
}

// busyIndex is the occupancy index held in memory by a bulk write, an
// import and the agenda: every row is filed under its resource and the
// week its start falls in, so the neighbourhood of an occurrence is a few
// short chains instead of a query. It answers exactly what loadBusy reads
// from the occupancy table. The rows live in one slice, each bucket a
// chain through it from its newest row back; nothing in it is a pointer,
// so the garbage collector never scans it.
type busyIndex struct {
	heads   map[busyKey]int32 // position, plus one, of a bucket's newest entry
	entries []busyEntry
	codes   stringCodes
	longest int64
}

func newBusyIndex() *busyIndex { return &busyIndex{heads: map[busyKey]int32{}} }

// add files one occupancy row and returns the bucket it went to; it
// files nothing (false) for an organisation's row that is not an
// exercise's, which busy never returns: those are most of the rows of a
// generated or imported calendar, and walking past them in an
// organisation's weeks was a tenth of a generation's CPU.
func (ix *busyIndex) add(r occupancyRow) (busyKey, bool) {
	if r.ResourceType == string(planning.ResourceOrganization) && !planning.IsExerciseKind(r.Kind) {
		return busyKey{}, false
	}
	k := busyKey{typ: ix.codes.code(r.ResourceType), id: r.ResourceID, bucket: floorDiv(r.StartS, busyBucket)}
	ix.entries = append(ix.entries, busyEntry{activityID: r.ActivityID, startS: r.StartS, endS: r.EndS, prev: ix.heads[k], kind: ix.codes.code(r.Kind), required: r.Required, virtual: r.Virtual, proposed: r.Proposed})
	ix.heads[k] = int32(len(ix.entries))
	ix.longest = max(ix.longest, r.EndS-r.StartS)
	return k, true
}

// undo removes the rows last added to the buckets keys, newest first (a
// transaction that did not commit).
func (ix *busyIndex) undo(keys []busyKey) {
	for i := len(keys) - 1; i >= 0; i-- {
		last := len(ix.entries) - 1
		if prev := ix.entries[last].prev; prev != 0 {
			ix.heads[keys[i]] = prev
		} else {
			delete(ix.heads, keys[i])
		}
		ix.entries = ix.entries[:last]
	}
}

// stringCodes numbers the few distinct strings of a busyIndex (resource
// types and kinds) so that its keys and entries hold a small code instead.
type stringCodes struct {
	byText map[string]uint8
	texts  []string
}

// code returns the code of s, numbering it when new. Codes are shared by
// resource types and kinds: a few dozen at most, far below 256.
func (c *stringCodes) code(s string) uint8 {
	if n, ok := c.byText[s]; ok {
		return n
	}
	if c.byText == nil {
		c.byText = map[string]uint8{}
	}
	if len(c.texts) == 255 {
		panic("storage: more than 255 resource types and kinds in a busy index") // the vocabulary holds a few dozen
	}
	c.byText[s] = uint8(len(c.texts))
	c.texts = append(c.texts, s)
	return uint8(len(c.texts) - 1)
}

// lookup returns the code of s and whether s was ever numbered (a string
// never numbered files no row).
func (c *stringCodes) lookup(s string) (uint8, bool) {
	n, ok := c.byText[s]
	return n, ok
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
// their exercise rows (the only ones add files).
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
		typ, ok := ix.codes.lookup(string(c.Resource.Type))
		if !ok {
			continue
		}
		for b := floorDiv(f-ix.longest, busyBucket); b <= floorDiv(t-1, busyBucket); b++ {
			for at := ix.heads[busyKey{typ: typ, id: c.Resource.ID, bucket: b}]; at != 0; {
				e := &ix.entries[at-1]
				at = e.prev
				if e.startS >= t || e.endS <= f || e.startS < f-ix.longest {
					continue
				}
				out = append(out, planning.Busy{
					ActivityID: e.activityID, Kind: ix.codes.texts[e.kind], Start: time.Unix(e.startS, 0).UTC(), End: time.Unix(e.endS, 0).UTC(),
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
