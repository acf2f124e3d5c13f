package storage

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// importRefs are the references every new activity of an import chunk
// names, resolved once for the chunk: the lead organisation (as
// resolveReferences resolves it, with the same errors) and the attendees'
// addresses (chunkAttendees). A first import resolved them again for every
// event, two or three queries each.
type importRefs struct {
	lead     int64
	leadErrs []models.FieldError
	people   map[models.Ref]int64
	// oneByOne: new activities go the booking path one at a time
	// (importWith).
	oneByOne bool
}

// chunkRefs resolves the lead organisation of an import once.
func chunkRefs(tx *gorm.DB, org *models.Organization, people map[models.Ref]int64) *importRefs {
	v := &models.ValidationError{}
	lead := resolveField(tx, v, "lead_organization", "organizations", "code", models.Ref(org.Code))
	return &importRefs{lead: lead, leadErrs: v.Errors, people: people}
}

// importDraft validates and expands a new imported activity exactly as
// buildDraft does for id 0 (same checks, same messages, in the same
// order), with the references taken from the chunk's lookups: an imported
// event names no venue, parent or visibility, only its lead organisation
// and people by address.
func (s *Store) importDraft(refs *importRefs, in models.ActivityInput) (*draft, error) {
	v := &models.ValidationError{}
	reminders := in.CheckFields(v)
	d := &draft{input: in}
	lead := int64(0)
	if in.LeadOrganization == "" {
		v.Add("lead_organization", "is required")
	} else {
		lead = refs.lead
		v.Errors = append(v.Errors, refs.leadErrs...)
	}
	if in.Venue != "" || in.Parent != "" || len(in.Visibility) > 0 {
		return nil, fmt.Errorf("import draft: an imported event names no venue, parent or visibility")
	}
	d.participants = checkParticipants(v, in.Participants, func(field, table string, ref models.Ref) int64 {
		if table == "people" {
			if id, ok := refs.people[ref]; ok {
				return id
			}
		}
		v.Add(field, "no %s with id or code %q", entityOf(table), string(ref))
		return 0
	})
	rec, err := s.draftSeries(nil, in, 0, v, d)
	if err != nil {
		return nil, err
	}
	d.setRow(0, rec.RRule, reminders, lead, models.Venue{}, nil)
	return d, nil
}

// importNew is a new activity of an import waiting in its chunk's batch.
type importNew struct {
	ev   calendar.ImportedEvent
	p    *preparedImport
	item bulkItem
}

// flushNew writes the new activities of an import gathered so far, in
// the order of the file, as importOne wrote them one by one: each is
// checked against the stored occupancy and the ones before it (the
// occupancy of the batch's resources over its span read once into a
// busyIndex, the external calendars and blackouts read per activity only
// when the batch's resources have any), and written with multi-row
// inserts (rows, participants, occurrences, occupancy holding nothing
// exclusively, overrides, audit entries, import digests). A new imported
// activity queues no notice (noticeChange without invitations and without
// a before), so none is written.
func (s *Store) flushNew(tx *gorm.DB, a models.Actor, batch []*importNew, rep *models.ImportReport, digests *[]importDigest) error {
	if len(batch) == 0 {
		return nil
	}
	now := s.now()
	items := make([]*bulkItem, len(batch))
	for i, n := range batch {
		uid := n.p.uid
		d := n.p.draft
		d.row.Version, d.row.CreatedAt, d.row.UpdatedAt, d.row.SourceUID = 1, now, now, &uid
		items[i] = &n.item
		n.item.d, n.item.uid = d, uid
	}
	ids, err := s.insertActivityRows(tx, items)
	if err != nil {
		return fmt.Errorf("insert %d imported activities: %w", len(items), err)
	}
	around, err := s.importSurroundings(tx, items)
	if err != nil {
		return err
	}
	var longest int64
	for i, n := range batch {
		d := n.item.d
		report, err := s.evaluateIn(tx, a, d, around)
		if err != nil {
			return fmt.Errorf("check event %q (line %d): %w", n.ev.UID, n.ev.Line, err)
		}
		for _, c := range append(report.Conflicts, report.Warnings...) {
			rep.Conflicts = append(rep.Conflicts, models.ImportConflict{UID: n.ev.UID, ConflictView: c})
		}
		d.row.ID = ids[i]
		// An import holds nothing exclusively (persist with overridden).
		n.item.occupancy = occupancyOf(d, true)
		for _, r := range n.item.occupancy {
			around.index.add(r)
		}
		for _, o := range d.occurrences {
			longest = max(longest, o.End.Unix()-o.Start.Unix())
		}
		rep.Created++
		*digests = append(*digests, importDigest{activityID: d.row.ID, hash: n.p.hash, version: d.row.Version})
	}
	if err := s.insertBulkRelations(tx, items); err != nil {
		return fmt.Errorf("write imported activities: %w", err)
	}
	if err := recordLongest(tx, longest); err != nil {
		return fmt.Errorf("record the longest occurrence: %w", err)
	}
	if err := s.insertNewOverrides(tx, items, now); err != nil {
		return err
	}
	return s.auditNew(tx, a, items)
}

// importAround is what the checks of a batch of new imported activities
// read once: the occupancy of their resources over their spans, and
// whether any of those resources has an external calendar or any of their
// organisations a blackout (rare; then those are read per activity as
// evaluate reads them).
type importAround struct {
	index     *busyIndex
	external  bool
	blackouts bool
}

// importSurroundings reads the neighbourhood of a batch: the occupancy
// rows loadBusy would read for any of its activities, by resource type and
// merged time window, into a busyIndex.
func (s *Store) importSurroundings(tx *gorm.DB, items []*bulkItem) (*importAround, error) {
	around := &importAround{index: newBusyIndex()}
	longest, err := longestOccurrence(tx)
	if err != nil {
		return nil, fmt.Errorf("read the longest occurrence: %w", err)
	}
	around.index.longest = longest
	type window struct{ from, to int64 }
	var windows []window
	byType := map[string]map[int64]bool{}
	var orgs []int64
	var spanFrom, spanTo time.Time
	for _, it := range items {
		d := it.d
		pad := s.planning.Rules.Buffer
		for _, c := range d.claims {
			pad = max(pad, c.Buffer)
		}
		from, to, ok := span(d.occurrences, pad)
		if !ok || models.Status(d.row.Status) == models.StatusCancelled {
			continue
		}
		windows = append(windows, window{from.Unix(), to.Unix()})
		if spanFrom.IsZero() || from.Before(spanFrom) {
			spanFrom = from
		}
		if to.After(spanTo) {
			spanTo = to
		}
		for _, c := range d.claims {
			t := string(c.Resource.Type)
			if byType[t] == nil {
				byType[t] = map[int64]bool{}
			}
			if !byType[t][c.Resource.ID] && c.Resource.Type == planning.ResourceOrganization {
				orgs = append(orgs, c.Resource.ID)
			}
			byType[t][c.Resource.ID] = true
		}
	}
	if len(windows) == 0 {
		return around, nil
	}
	claimed := map[string][]int64{}
	var types []string
	var all []int64
	for t, set := range byType {
		types = append(types, t)
		for id := range set {
			claimed[t] = append(claimed[t], id)
			all = append(all, id)
		}
	}
	slices.Sort(types)
	// Windows closer than a week apart are read as one.
	slices.SortFunc(windows, func(a, b window) int { return cmp.Compare(a.from, b.from) })
	merged := []window{windows[0]}
	for _, w := range windows[1:] {
		last := &merged[len(merged)-1]
		if w.from <= last.to+busyBucket {
			last.to = max(last.to, w.to)
			continue
		}
		merged = append(merged, w)
	}
	for _, w := range merged {
		if err := s.loadClaimedInto(tx, around.index, claimed, w.from-longest, w.to, w.from); err != nil {
			return nil, fmt.Errorf("load occupancy: %w", err)
		}
	}
	var n int64
	if err := tx.Model(&models.ExternalCalendar{}).Where("blocks_type IN ? AND blocks_id IN ?", types, all).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("look for external calendars: %w", err)
	}
	around.external = n > 0
	if len(orgs) > 0 {
		bs, err := loadBlackouts(tx, orgs, spanFrom, spanTo)
		if err != nil {
			return nil, fmt.Errorf("look for blackouts: %w", err)
		}
		around.blackouts = len(bs) > 0
	}
	return around, nil
}

// nearby is loadBusy answered from the batch's index; external calendars
// and blackouts are read per activity only when a resource (an
// organisation) of the batch has one.
func (around *importAround) nearby(_ *gorm.DB, claims []planning.Claim, from, to time.Time, exclude int64, kind string) (nearby, error) {
	return nearby{busy: withoutActivity(around.index.busy(claims, from, to, kind), exclude), subscribed: around.external, blackedOut: around.blackouts}, nil
}

// blackoutsFor reads one activity's blackouts (nearby says when).
func (around *importAround) blackoutsFor(tx *gorm.DB, orgs []int64, from, to time.Time) ([]planning.Blackout, error) {
	return loadBlackouts(tx, orgs, from, to)
}

func (around *importAround) describe(tx *gorm.DB, v models.Viewer, found []planning.Conflict, d *draft) ([]models.ConflictView, error) {
	return describeConflicts(tx, v, found, d)
}

// insertNewOverrides writes the moved and cancelled instances of new
// imported activities (writeOverrides, without the delete a new activity
// does not need).
func (s *Store) insertNewOverrides(tx *gorm.DB, items []*bulkItem, now time.Time) error {
	var rows []overrideRow
	for _, it := range items {
		for _, o := range it.d.overrides {
			rows = append(rows, overrideRow{ActivityID: it.d.row.ID, RecurrenceID: o.RecurrenceID.Unix(), Cancelled: o.Cancelled, StartS: o.Start.Unix(), EndS: o.End.Unix(), UpdatedAt: now})
		}
	}
	_, err := s.insertRows(tx, rowInsert{table: "occurrence_overrides", columns: []string{"activity_id", "recurrence_id", "cancelled", "start_s", "end_s", "updated_at"}, n: len(rows), args: func(i int, dst []any) []any {
		r := &rows[i]
		return append(dst, r.ActivityID, r.RecurrenceID, r.Cancelled, r.StartS, r.EndS, r.UpdatedAt)
	}})
	if err != nil {
		return fmt.Errorf("insert overrides: %w", err)
	}
	return nil
}

// auditNew writes the import_create entries of new imported activities,
// as persist writes them (no before, the writable form after).
func (s *Store) auditNew(tx *gorm.DB, a models.Actor, items []*bulkItem) error {
	entries := make([]models.AuditEntry, len(items))
	for i, it := range items {
		e, err := s.auditEntry(a, "import_create", "activity", it.d.row.ID, nil, it.d.input, "")
		if err != nil {
			return fmt.Errorf("audit activity %d: %w", it.d.row.ID, err)
		}
		entries[i] = e
	}
	_, err := s.insertRows(tx, rowInsert{table: "audit_log", n: len(entries),
		columns: []string{"at", "actor", "token_id", "person_id", "action", "entity", "entity_id", "reason", "before_json", "after_json"},
		args: func(i int, dst []any) []any {
			e := &entries[i]
			return append(dst, e.At, e.Actor, e.TokenID, e.PersonID, e.Action, e.Entity, e.EntityID, e.Reason, e.Before, e.After)
		}})
	if err != nil {
		return fmt.Errorf("audit %d imported activities: %w", len(entries), err)
	}
	return nil
}

// widenPageCache gives SQLite a page cache of 64 MiB (instead of 2) for
// the transaction of an import chunk or a bulk writer's batch: the
// indexes it inserts into stay in memory. The returned
// function puts the size back on this pooled connection (it does nothing
// when widening failed).
func widenPageCache(tx *gorm.DB) (func(), error) {
	var cache int64
	if err := tx.Raw("PRAGMA cache_size").Scan(&cache).Error; err != nil {
		return func() {}, fmt.Errorf("read the page cache size: %w", err)
	}
	if err := tx.Exec("PRAGMA cache_size = -65536").Error; err != nil {
		return func() {}, fmt.Errorf("widen the page cache: %w", err)
	}
	return func() { tx.Exec("PRAGMA cache_size = " + strconv.FormatInt(cache, 10)) }, nil
}
