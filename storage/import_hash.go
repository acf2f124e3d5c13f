package storage

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// importDigestScheme names what importHash digests; changing what goes
// into a digest changes the scheme, so that old rows vouch for nothing.
const importDigestScheme = "import-digest/1"

// importDigest is a row of import_hashes: the digest of what an event
// made of an activity, and the version the activity had then.
type importDigest struct {
	activityID int64
	hash       string
	version    int
}

// importedEvent is an event of a chunk with what it maps onto (the
// activity input importInput makes of it) and the digest of that.
type importedEvent struct {
	ev   calendar.ImportedEvent
	in   models.ActivityInput
	hash string
}

// chunkEvents maps the events of a chunk onto activity inputs and digests
// them.
func chunkEvents(org *models.Organization, chunk []calendar.ImportedEvent, people map[models.Ref]int64) ([]importedEvent, error) {
	out := make([]importedEvent, len(chunk))
	for i, ev := range chunk {
		in := importInput(org, ev, people)
		h, err := importHash(in, ev, people)
		if err != nil {
			return nil, fmt.Errorf("digest event %q (line %d): %w", ev.UID, ev.Line, err)
		}
		out[i] = importedEvent{ev: ev, in: in, hash: h}
	}
	return out, nil
}

// importHash digests everything a re-import's verdict on an event
// depends on besides the activity itself (whose version stands for it):
// the input the event maps onto, with its instants in UTC (as they are
// stored); which optional parts the event carries (mergeImported takes
// those only); and the people its attendees' addresses resolved to, so
// that an address now naming someone else, or no one, changes the digest.
func importHash(in models.ActivityInput, ev calendar.ImportedEvent, people map[models.Ref]int64) (string, error) {
	_, kind := kindFromCategories(ev.Categories)
	in.Start, in.End = in.Start.UTC(), in.End.UTC()
	in.ExDates, in.RDates = utcTimes(in.ExDates), utcTimes(in.RDates)
	type override struct {
		RecurrenceID, Start, End int64
		Cancelled                bool
	}
	var ovs []override
	if in.Overrides != nil {
		for _, o := range *in.Overrides {
			ovs = append(ovs, override{o.RecurrenceID.UnixNano(), o.Start.UnixNano(), o.End.UnixNano(), o.Cancelled})
		}
	}
	var ids []int64
	for _, at := range ev.Attendees {
		if id, ok := people[models.Ref(at.Email)]; ok && at.Email != "" {
			ids = append(ids, id)
		}
	}
	b, err := json.Marshal(struct {
		Scheme    string
		In        models.ActivityInput
		Overrides []override
		Carries   [5]bool
		People    []int64
	}{importDigestScheme, in, ovs, [5]bool{kind, ev.Status != "", len(ev.Reminders) > 0, ev.ConferenceURL != "", len(ev.Attendees) > 0}, ids})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// digestBatch is how many rows one statement of writeDigests carries.
const digestBatch = 150

// writeDigests records, for each activity, the digest of the event it
// was last imported from (or found unchanged against) and its version.
func writeDigests(tx *gorm.DB, rows []importDigest) error {
	// The last word on an activity wins (a UID the file carries twice).
	last := make(map[int64]int, len(rows))
	var uniq []importDigest
	for _, r := range rows {
		if i, ok := last[r.activityID]; ok {
			uniq[i] = r
			continue
		}
		last[r.activityID] = len(uniq)
		uniq = append(uniq, r)
	}
	for start := 0; start < len(uniq); start += digestBatch {
		part := uniq[start:min(len(uniq), start+digestBatch)]
		var sb strings.Builder
		sb.WriteString("INSERT INTO import_hashes (activity_id, hash, version) VALUES ")
		args := make([]any, 0, 3*len(part))
		for i, r := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?)")
			args = append(args, r.activityID, r.hash, r.version)
		}
		sb.WriteString(" ON CONFLICT (activity_id) DO UPDATE SET hash = excluded.hash, version = excluded.version")
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("record %d import digests: %w", len(part), err)
		}
	}
	return nil
}

// importCandidate is a live activity an earlier import created from a
// source UID, as importedBefore reads it, with its import digest if any.
type importCandidate struct {
	ID                 int64
	SourceUID          string
	LeadOrganizationID int64
	Version            int
	Restricted         bool
	Hash               *string
	HashVersion        *int
}

// importCandidates reads the live activities imported from uids, oldest
// first, with their import digests: two index reads, scanned column by
// column (gorm's reflection per row was most of an unchanged re-import).
func importCandidates(tx *gorm.DB, uids []string) ([]importCandidate, error) {
	// Deleted ones are told apart, and the rows put in order, here rather
	// than in the statement: SQLite's planner, without statistics, then
	// read the whole table (through activities_deleted, where every live
	// row has deleted_at NULL, or in id order) instead of looking the UIDs
	// up in activities_source_uid.
	rows, err := tx.Raw("SELECT id, source_uid, lead_organization_id, version, restricted, deleted_at IS NULL FROM activities WHERE source_uid IN ?", uids).Rows()
	if err != nil {
		return nil, fmt.Errorf("find the activities of earlier imports: %w", err)
	}
	var out []importCandidate
	for rows.Next() {
		var c importCandidate
		var live bool
		if err := rows.Scan(&c.ID, &c.SourceUID, &c.LeadOrganizationID, &c.Version, &c.Restricted, &live); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find the activities of earlier imports: %w", err)
		}
		if live {
			out = append(out, c)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("find the activities of earlier imports: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	slices.SortFunc(out, func(a, b importCandidate) int { return cmp.Compare(a.ID, b.ID) })
	at := make(map[int64]int, len(out))
	ids := make([]int64, len(out))
	for i, c := range out {
		at[c.ID], ids[i] = i, c.ID
	}
	for start := 0; start < len(ids); start += viewChunk {
		hrows, err := tx.Raw("SELECT activity_id, hash, version FROM import_hashes WHERE activity_id IN ?", ids[start:min(len(ids), start+viewChunk)]).Rows()
		if err != nil {
			return nil, fmt.Errorf("read import digests: %w", err)
		}
		for hrows.Next() {
			var id int64
			var h string
			var v int
			if err := hrows.Scan(&id, &h, &v); err != nil {
				hrows.Close()
				return nil, fmt.Errorf("read import digests: %w", err)
			}
			c := &out[at[id]]
			c.Hash, c.HashVersion = &h, &v
		}
		if err := hrows.Close(); err != nil {
			return nil, fmt.Errorf("read import digests: %w", err)
		}
	}
	return out, nil
}

// vouched reports whether the stored digests settle every event of the
// chunk with this source UID as unchanged for a, without loading anything:
// the activity a re-import would update (the oldest that a may see and
// change, as importTarget picks it) still has the version its digest was
// recorded at, and each event's digest is that one. A restricted
// candidate needs its visibility to tell whether a sees it: then the
// digests settle nothing and the activities are loaded.
func vouched(a models.Actor, candidates []importCandidate, hashes []string) (importCandidate, bool) {
	for _, c := range candidates {
		if c.Restricted && !a.Viewer().CanSee(true, nil) {
			return importCandidate{}, false
		}
		if a.CanWriteActivity(c.LeadOrganizationID) != nil {
			continue
		}
		if c.Hash == nil || c.HashVersion == nil || *c.HashVersion != c.Version || len(hashes) == 0 {
			return importCandidate{}, false
		}
		for _, h := range hashes {
			if h != *c.Hash {
				return importCandidate{}, false
			}
		}
		return c, true
	}
	return importCandidate{}, false
}
