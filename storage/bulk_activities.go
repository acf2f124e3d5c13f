package storage

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// BulkWriter writes many new activities in large transactions with
// multi-row inserts: the rows, occurrences, occupancy and audit entries
// the booking path (CreateActivity with an override reason and a source
// UID) writes, for a fraction of its cost. It exists to fill databases for
// load tests and demonstrations (`demo --scale`): 100,000 activities in
// under a minute instead of eight.
//
// The conflict check runs in memory, against the stored occupancy (read
// once, at the first write that needs it) and the activities written
// before through this writer, with the same pure rules; an activity with
// hard conflicts is written as overridden (its occupancy holds nothing
// exclusively, and an "override" audit entry names the conflicts), exactly
// as the booking path does with an override reason. Bookings made by
// other writers while a BulkWriter is in use are not in its index: on
// PostgreSQL the exclusion constraint still refuses a double booking (the
// batch fails), on SQLite nothing stops it, so use a BulkWriter on a
// database nobody else is booking in.
//
// It takes only what generated and imported data need: no parent, no
// proposals (an administrator commits directly), and a source UID on each
// activity (so no invitations are sent, as for an import). A BulkWriter is
// not safe for concurrent use, except that one Prepare may run beside a
// WritePrepared.
type BulkWriter struct {
	s      *Store
	actor  models.Actor
	reason string
	index  *busyIndex
	// written are the source UIDs of the last batch written, which a
	// batch prepared meanwhile may not have seen (WritePrepared).
	written map[string]bool
}

// NewBulkWriter returns a writer that books as a, forcing hard conflicts
// through with reason. a must be an administrator: only an administrator
// commits activities that involve several organisations without a
// proposal, which is what the booking path would do for them.
func (s *Store) NewBulkWriter(a models.Actor, reason string) (*BulkWriter, error) {
	if a.Role != models.RoleAdmin {
		return nil, &models.ForbiddenError{Reason: "a bulk write commits activities directly, which only an administrator may do"}
	}
	if strings.TrimSpace(reason) == "" {
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "override_reason", Message: "is required: a bulk write forces the conflicts it meets through, and the audit says why"}}}
	}
	return &BulkWriter{s: s, actor: a, reason: reason}, nil
}

// bulkItem is one activity of a batch on its way to the database.
type bulkItem struct {
	d         *draft
	uid       string
	found     []planning.Conflict
	overruled bool
	occupancy []occupancyRow
}

// Write creates the activities of items that do not exist yet (by source
// UID), in order, in one transaction: each is validated as the booking
// path validates it, checked against the occupancy and the activities
// before it, and written with its relations, occurrences, occupancy and
// audit. An invalid item fails the whole batch with its position named.
// It is Prepare then WritePrepared.
func (w *BulkWriter) Write(ctx context.Context, items []models.BulkActivity) (models.BulkResult, error) {
	b, err := w.Prepare(ctx, items)
	if err != nil {
		return models.BulkResult{}, err
	}
	return w.WritePrepared(ctx, b)
}

// BulkBatch is a batch of a bulk write that Prepare validated and
// expanded, waiting for WritePrepared.
type BulkBatch struct {
	items    []*bulkItem
	existing int
}

// Prepare does what Write does before it writes: it looks the source UIDs
// up, resolves the references, validates each new item and expands its
// occurrences. It only reads, so it may run on another goroutine while
// the writer writes the batch prepared before it, which is how a
// generation keeps both cores busy; WritePrepared then skips what that
// batch wrote. It must not run further ahead than that.
func (w *BulkWriter) Prepare(ctx context.Context, items []models.BulkActivity) (*BulkBatch, error) {
	out := &BulkBatch{}
	for i, it := range items {
		if it.SourceUID == "" {
			return nil, fmt.Errorf("bulk write, item %d: %w", i, &models.ValidationError{Errors: []models.FieldError{{Field: "source_uid", Message: "is required in a bulk write"}}})
		}
	}
	if len(items) == 0 {
		return out, nil
	}
	db := w.s.db.WithContext(ctx)
	existing, err := liveSourceUIDs(db, items)
	if err != nil {
		return nil, fmt.Errorf("bulk write: look up source UIDs: %w", err)
	}
	refs, err := resolveBulkRefs(db, items, nil)
	if err != nil {
		return nil, fmt.Errorf("bulk write: resolve references: %w", err)
	}
	inBatch := map[string]bool{}
	for i, it := range items {
		if existing[it.SourceUID] || inBatch[it.SourceUID] {
			out.existing++
			continue
		}
		inBatch[it.SourceUID] = true
		d, err := w.s.bulkDraft(refs, it.Input)
		if err != nil {
			return nil, fmt.Errorf("bulk write, item %d (%s): %w", i, it.SourceUID, err)
		}
		out.items = append(out.items, &bulkItem{d: d, uid: it.SourceUID})
	}
	return out, nil
}

// WritePrepared writes a prepared batch as Write does, leaving out the
// activities the previous batch wrote after the batch's source UIDs were
// looked up.
func (w *BulkWriter) WritePrepared(ctx context.Context, prepared *BulkBatch) (models.BulkResult, error) {
	res := models.BulkResult{Existing: prepared.existing}
	batch := make([]*bulkItem, 0, len(prepared.items))
	for _, b := range prepared.items {
		if w.written[b.uid] {
			res.Existing++
			continue
		}
		batch = append(batch, b)
	}
	if len(batch) == 0 {
		return res, nil
	}
	db := w.s.db.WithContext(ctx)
	if w.index == nil {
		ix := newBusyIndex()
		if err := ix.load(db); err != nil {
			return res, fmt.Errorf("bulk write: load the occupancy: %w", err)
		}
		w.index = ix
	}
	// A write that SQLite retries (a stale snapshot) runs again from the
	// index as it was before the batch.
	var keys []busyKey
	err := w.s.write(ctx, func(tx *gorm.DB) error {
		w.index.undo(keys)
		keys = keys[:0]
		return w.writeBatch(tx, batch, &keys)
	})
	if err != nil {
		// The index may hold rows of the rolled-back batch: read it again
		// at the next write.
		w.index = nil
		return res, fmt.Errorf("bulk write: %w", err)
	}
	w.written = make(map[string]bool, len(batch))
	for _, b := range batch {
		w.written[b.uid] = true
		res.Created++
		if b.overruled {
			res.Overridden++
		}
	}
	return res, nil
}

// writeBatch writes a batch in one transaction: the activity rows first
// (for their ids), then, at the same time, each activity's check in order
// (in memory, on another core) and the rows the check does not decide
// (participants, visibility, areas, occurrences), then the occupancy and
// the audit.
func (w *BulkWriter) writeBatch(tx *gorm.DB, batch []*bulkItem, keys *[]busyKey) error {
	now := w.s.now()
	if w.s.dialect == models.SQLite {
		// Statement journals are already kept in memory on every
		// connection (sqliteDSN's temp_store); a wider page cache keeps
		// the indexes the batch inserts into in memory too.
		restore, err := widenPageCache(tx)
		if err != nil {
			return err
		}
		defer restore()
	}
	for _, b := range batch {
		uid := b.uid
		b.d.row.Version, b.d.row.CreatedAt, b.d.row.UpdatedAt, b.d.row.SourceUID = 1, now, now, &uid
	}
	ids, err := w.s.insertActivityRows(tx, batch)
	if err != nil {
		return err
	}
	for i, b := range batch {
		b.d.row.ID = ids[i]
	}
	external, blackouts, err := batchSurroundings(tx, batch, w.s.planning.Rules.Buffer)
	if err != nil {
		return err
	}
	checked := make(chan int64, 1)
	go func() { checked <- w.checkBatch(batch, external, blackouts, keys) }()
	err = w.s.insertActivityRelations(tx, batch)
	longest := <-checked
	if err != nil {
		return err
	}
	if err := w.s.insertBulkOccupancy(tx, batch); err != nil {
		return err
	}
	if err := recordLongest(tx, longest); err != nil {
		return fmt.Errorf("record the longest occurrence: %w", err)
	}
	return w.auditBatch(tx, batch, now)
}

// checkBatch checks each activity of the batch in order against the
// index and the ones before it, files its occupancy in the index (the
// buckets in keys, for an undo) and returns the longest occurrence. It
// reads nothing from the database: writeBatch runs it beside the inserts
// that do not depend on it.
func (w *BulkWriter) checkBatch(batch []*bulkItem, external []externalRow, blackouts []planning.Blackout, keys *[]busyKey) (longest int64) {
	for _, b := range batch {
		w.check(b, external, blackouts)
		b.occupancy = occupancyOf(b.d, b.overruled)
		for _, r := range b.occupancy {
			if k, filed := w.index.add(r); filed {
				*keys = append(*keys, k)
			}
		}
		for _, o := range b.d.occurrences {
			longest = max(longest, o.End.Unix()-o.Start.Unix())
		}
	}
	return longest
}

// check runs the pure conflict rules for one item, as evaluate does for
// a new activity (id 0, no answers, no coordinated exercise: the bulk
// path takes no parent).
func (w *BulkWriter) check(b *bulkItem, external []externalRow, blackouts []planning.Blackout) {
	d := b.d
	b.found, b.overruled = nil, false
	pad := w.s.planning.Rules.Buffer
	for _, c := range d.claims {
		pad = max(pad, c.Buffer)
	}
	from, to, ok := span(d.occurrences, pad)
	if !ok || models.Status(d.row.Status) == models.StatusCancelled {
		return
	}
	busy := w.index.busy(d.claims, from, to, d.row.Kind)
	busy = append(busy, externalOf(external, d.claims, from, to)...)
	var orgs []int64
	for _, c := range d.claims {
		if c.Resource.Type == planning.ResourceOrganization {
			orgs = append(orgs, c.Resource.ID)
		}
	}
	p := planning.Proposal{Kind: d.row.Kind, Status: d.row.Status, Occurrences: d.occurrences, Claims: d.claims}
	found := planning.Check(p, busy, blackoutsOf(blackouts, orgs, from, to), w.s.planning.Rules)
	for _, c := range found {
		if c.Hard() {
			b.found = found
			b.overruled = true
			break
		}
	}
}

// occupancyOf lists the occupancy rows writeOccupancy writes for a new
// activity (no answers yet).
func occupancyOf(d *draft, overridden bool) []occupancyRow {
	if models.Status(d.row.Status) == models.StatusCancelled || d.row.DeletedAt != nil {
		return nil
	}
	proposed := models.Status(d.row.Status) == models.StatusProposed
	rows := make([]occupancyRow, 0, len(d.occurrences)*len(d.claims))
	for _, o := range d.occurrences {
		for _, c := range d.claims {
			rows = append(rows, occupancyRow{
				ActivityID: d.row.ID, Kind: d.row.Kind, StartS: o.Start.Unix(), EndS: o.End.Unix(),
				ResourceType: string(c.Resource.Type), ResourceID: c.Resource.ID,
				Required: c.Required, Virtual: c.Virtual, Exclusive: exclusive(c, overridden || proposed), Proposed: proposed,
			})
		}
	}
	return rows
}

// insertBulkRelations writes the participants, visibility, areas,
// occurrences and occupancy of a batch with multi-row inserts.
func (s *Store) insertBulkRelations(tx *gorm.DB, batch []*bulkItem) error {
	if err := s.insertActivityRelations(tx, batch); err != nil {
		return err
	}
	return s.insertBulkOccupancy(tx, batch)
}

// insertActivityRelations writes the participants, visibility, areas and
// occurrences of a batch with multi-row inserts: what does not depend on
// the conflict check, so the bulk writer writes it while the check runs.
func (s *Store) insertActivityRelations(tx *gorm.DB, batch []*bulkItem) error {
	var parts []models.Participant
	var vis []activityVisibility
	var areas []activityArea
	var occs []occurrenceRow
	for _, b := range batch {
		id := b.d.row.ID
		for _, p := range b.d.participants {
			p.ActivityID = id
			parts = append(parts, p)
		}
		for _, o := range b.d.visibility {
			vis = append(vis, activityVisibility{ActivityID: id, OrganizationID: o})
		}
		seen := map[string]bool{}
		for _, a := range b.d.row.Areas {
			if !seen[a] {
				seen[a] = true
				areas = append(areas, activityArea{ActivityID: id, Area: a})
			}
		}
		for _, o := range b.d.occurrences {
			occs = append(occs, occurrenceRow{ActivityID: id, RecurrenceID: o.RecurrenceID.Unix(), StartS: o.Start.Unix(), EndS: o.End.Unix()})
		}
	}
	if _, err := s.insertRows(tx, rowInsert{table: "participants", plain: true, columns: []string{"activity_id", "position", "type", "ref_id", "role", "required", "rsvp"}, n: len(parts), args: func(i int, dst []any) []any {
		p := &parts[i]
		return append(dst, p.ActivityID, p.Position, p.Type, p.RefID, p.Role, p.Required, p.RSVP)
	}}); err != nil {
		return fmt.Errorf("insert participants: %w", err)
	}
	if _, err := s.insertRows(tx, rowInsert{table: "activity_visibility", columns: []string{"activity_id", "organization_id"}, n: len(vis), args: func(i int, dst []any) []any {
		return append(dst, vis[i].ActivityID, vis[i].OrganizationID)
	}}); err != nil {
		return fmt.Errorf("insert visibility: %w", err)
	}
	if _, err := s.insertRows(tx, rowInsert{table: "activity_areas", columns: []string{"activity_id", "area"}, n: len(areas), args: func(i int, dst []any) []any {
		return append(dst, areas[i].ActivityID, areas[i].Area)
	}}); err != nil {
		return fmt.Errorf("insert areas: %w", err)
	}
	if _, err := s.insertRows(tx, rowInsert{table: "occurrences", plain: true, columns: []string{"activity_id", "recurrence_id", "start_s", "end_s"}, n: len(occs), args: func(i int, dst []any) []any {
		o := &occs[i]
		return append(dst, o.ActivityID, o.RecurrenceID, o.StartS, o.EndS)
	}}); err != nil {
		return fmt.Errorf("insert occurrences: %w", err)
	}
	return nil
}

// insertBulkOccupancy writes the occupancy rows of a batch's checked
// activities.
func (s *Store) insertBulkOccupancy(tx *gorm.DB, batch []*bulkItem) error {
	var occ []occupancyRow
	for _, b := range batch {
		occ = append(occ, b.occupancy...)
	}
	// In the order of the resource index, so that consecutive rows land
	// on the same index pages.
	slices.SortFunc(occ, func(a, b occupancyRow) int {
		return cmp.Or(cmp.Compare(a.ResourceType, b.ResourceType), cmp.Compare(a.ResourceID, b.ResourceID), cmp.Compare(a.StartS, b.StartS), cmp.Compare(a.ActivityID, b.ActivityID))
	})
	if _, err := s.insertRows(tx, rowInsert{table: "occupancy", plain: true, columns: []string{"activity_id", "kind", "start_s", "end_s", "resource_type", "resource_id", "required", "virtual", "exclusive", "proposed"}, n: len(occ), args: func(i int, dst []any) []any {
		r := &occ[i]
		return append(dst, r.ActivityID, r.Kind, r.StartS, r.EndS, r.ResourceType, r.ResourceID, r.Required, r.Virtual, r.Exclusive, r.Proposed)
	}}); err != nil {
		return fmt.Errorf("insert occupancy: %w", err)
	}
	return nil
}

// auditBatch writes what persist and change audit for each activity: its
// creation (the writable form), and for an overridden one the conflicts
// forced through and the reason. The conflicts are described as the
// booking path describes them, with one name and summary lookup for the
// whole batch.
func (w *BulkWriter) auditBatch(tx *gorm.DB, batch []*bulkItem, now time.Time) error {
	var found []planning.Conflict
	for _, b := range batch {
		found = append(found, b.found...)
	}
	names := newNameCache(tx)
	refs := make([]planning.ResourceRef, len(found))
	for i, c := range found {
		refs[i] = c.Resource
	}
	if err := names.prefetch(refs); err != nil {
		return fmt.Errorf("name the conflicts: %w", err)
	}
	others, err := loadSummaries(tx, found)
	if err != nil {
		return fmt.Errorf("summarise the conflicts: %w", err)
	}
	entries := make([]models.AuditEntry, 0, len(batch)*2)
	for _, b := range batch {
		e, err := w.entry(now, "create", b.d.row.ID, b.d.input, "")
		if err != nil {
			return err
		}
		entries = append(entries, e)
		if !b.overruled {
			continue
		}
		// The booking path describes a new activity before it has an id.
		d := *b.d
		d.row.ID = 0
		views, err := describeWith(tx, w.actor.Viewer(), b.found, &d, names, others)
		if err != nil {
			return fmt.Errorf("describe the conflicts of activity %d: %w", b.d.row.ID, err)
		}
		var hard []models.ConflictView
		for i, c := range b.found {
			if c.Hard() {
				hard = append(hard, views[i])
			}
		}
		if e, err = w.entry(now, "override", b.d.row.ID, hard, w.reason); err != nil {
			return err
		}
		entries = append(entries, e)
	}
	_, err = w.s.insertRows(tx, rowInsert{table: "audit_log", n: len(entries),
		columns: []string{"at", "actor", "token_id", "person_id", "action", "entity", "entity_id", "reason", "before_json", "after_json"},
		args: func(i int, dst []any) []any {
			e := &entries[i]
			return append(dst, e.At, e.Actor, e.TokenID, e.PersonID, e.Action, e.Entity, e.EntityID, e.Reason, e.Before, e.After)
		}})
	return err
}

// entry is the audit entry audit would write, without writing it.
func (w *BulkWriter) entry(now time.Time, action string, id int64, after any, reason string) (models.AuditEntry, error) {
	e := models.AuditEntry{At: now, Actor: w.actor.Name, Action: action, Entity: "activity", EntityID: id, Reason: reason}
	if w.actor.TokenID != 0 {
		tid := w.actor.TokenID
		e.TokenID = &tid
	}
	if w.actor.PersonID != 0 {
		pid := w.actor.PersonID
		e.PersonID = &pid
	}
	b, err := json.Marshal(after)
	if err != nil {
		return e, fmt.Errorf("audit activity %d: %w", id, err)
	}
	e.After = b
	return e, nil
}

// liveSourceUIDs returns which of the items' source UIDs a live activity
// carries already.
func liveSourceUIDs(db *gorm.DB, items []models.BulkActivity) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(items); start += viewChunk {
		end := min(len(items), start+viewChunk)
		uids := make([]string, 0, end-start)
		for _, it := range items[start:end] {
			uids = append(uids, it.SourceUID)
		}
		var found []string
		if err := db.Table("activities").Where("source_uid IN ? AND deleted_at IS NULL", uids).Pluck("source_uid", &found).Error; err != nil {
			return nil, fmt.Errorf("read activities: %w", err)
		}
		for _, u := range found {
			out[u] = true
		}
	}
	return out, nil
}

// bulkRefs are the references of a batch resolved to ids, by table, with
// the venues' rows (their buffer and virtuality make claims).
type bulkRefs struct {
	ids    map[string]map[models.Ref]int64
	venues map[int64]models.Venue
}

// resolveBulkRefs resolves every reference of the items with one query
// per table and chunk, as resolveMany does for one activity. known (nil:
// none) holds references resolved already, with their venues' rows: they
// are not read again, and known is completed and returned.
func resolveBulkRefs(db *gorm.DB, items []models.BulkActivity, known *bulkRefs) (*bulkRefs, error) {
	out := known
	if out == nil {
		out = &bulkRefs{ids: map[string]map[models.Ref]int64{}, venues: map[int64]models.Venue{}}
	}
	want := map[string]map[models.Ref]bool{}
	note := func(table string, r models.Ref) {
		if _, ok := out.ids[table][r]; ok || r == "" {
			return
		}
		if want[table] == nil {
			want[table] = map[models.Ref]bool{}
		}
		want[table][r] = true
	}
	for _, it := range items {
		note("organizations", it.Input.LeadOrganization)
		note("venues", it.Input.Venue)
		for _, v := range it.Input.Visibility {
			note("organizations", v)
		}
		for _, p := range it.Input.Participants {
			if t, ok := participantTables[p.Type]; ok {
				note(t[0], p.IDOrCode)
			}
		}
	}
	for table, set := range want {
		col := "code"
		if table == "people" {
			col = "email"
		}
		refs := make([]models.Ref, 0, len(set))
		for r := range set {
			refs = append(refs, r)
		}
		if out.ids[table] == nil {
			out.ids[table] = map[models.Ref]int64{}
		}
		for start := 0; start < len(refs); start += viewChunk {
			m, err := resolveMany(db, table, col, refs[start:min(len(refs), start+viewChunk)])
			if err != nil {
				return nil, fmt.Errorf("resolve %s: %w", table, err)
			}
			for r, id := range m {
				out.ids[table][r] = id
			}
		}
	}
	var vids []int64
	seen := map[int64]bool{}
	for _, id := range out.ids["venues"] {
		if _, ok := out.venues[id]; !ok && !seen[id] {
			seen[id] = true
			vids = append(vids, id)
		}
	}
	for start := 0; start < len(vids); start += viewChunk {
		var rows []models.Venue
		if err := db.Where("id IN ?", vids[start:min(len(vids), start+viewChunk)]).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load venues: %w", err)
		}
		for _, v := range rows {
			out.venues[v.ID] = v
		}
	}
	return out, nil
}

// field resolves one reference for a draft, recording a validation error
// as resolveField does when it names nothing.
func (r *bulkRefs) field(v *models.ValidationError, field, table string, ref models.Ref) int64 {
	if ref == "" {
		return 0
	}
	if id, ok := r.ids[table][ref]; ok {
		return id
	}
	v.Add(field, "no %s with id or code %q", entityOf(table), string(ref))
	return 0
}

// errBulkUnsupported names what the bulk path does not take.
var errBulkUnsupported = errors.New("the bulk path does not take this; book it through CreateActivity")

// bulkDraft validates and expands one new activity as buildDraft does,
// with its references resolved from refs instead of one query each.
func (s *Store) bulkDraft(refs *bulkRefs, in models.ActivityInput) (*draft, error) {
	if in.Parent != "" || in.Overrides != nil {
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "parent", Message: errBulkUnsupported.Error()}}}
	}
	v := &models.ValidationError{}
	reminders := in.CheckFields(v)
	if models.Status(in.Status) == models.StatusProposed {
		v.Add("status", "%s", errBulkUnsupported.Error())
	}
	d := &draft{input: in}
	leadID := int64(0)
	if in.LeadOrganization == "" {
		v.Add("lead_organization", "is required")
	} else {
		leadID = refs.field(v, "lead_organization", "organizations", in.LeadOrganization)
	}
	var venue models.Venue
	if vid := refs.field(v, "venue", "venues", in.Venue); vid != 0 {
		venue = refs.venues[vid]
	}
	if d.resolveVisibility(in.Visibility, leadID, func(field string, r models.Ref) int64 {
		return refs.field(v, field, "organizations", r)
	}) {
		v.Add("visibility", "must include the lead organisation %s", in.LeadOrganization)
	}
	d.participants = checkParticipants(v, in.Participants, func(field, table string, ref models.Ref) int64 {
		return refs.field(v, field, table, ref)
	})
	// The same series check and expansion as a booking (a new activity
	// with no overrides reads nothing stored).
	rec, err := s.draftSeries(nil, in, 0, v, d)
	if err != nil {
		return nil, err
	}
	d.setRow(0, rec.RRule, reminders, leadID, venue, nil)
	return d, nil
}

// externalRow is an external busy block with the resource whose
// subscription it came from.
type externalRow struct {
	busy   planning.Busy
	blocks planning.ResourceRef
}

// batchSurroundings reads, once for a whole batch, what evaluate reads for
// each activity besides the occupancy: external busy times of the claimed
// resources and the blackouts of the claimed organisations, over the
// batch's whole span.
func batchSurroundings(tx *gorm.DB, batch []*bulkItem, buffer time.Duration) ([]externalRow, []planning.Blackout, error) {
	var from, to time.Time
	claimed := map[planning.ResourceRef]bool{}
	byType := map[string][]int64{}
	for _, b := range batch {
		pad := buffer
		for _, c := range b.d.claims {
			pad = max(pad, c.Buffer)
			if !claimed[c.Resource] {
				claimed[c.Resource] = true
				byType[string(c.Resource.Type)] = append(byType[string(c.Resource.Type)], c.Resource.ID)
			}
		}
		f, t, ok := span(b.d.occurrences, pad)
		if !ok {
			continue
		}
		if from.IsZero() || f.Before(from) {
			from = f
		}
		if t.After(to) {
			to = t
		}
	}
	if from.IsZero() {
		return nil, nil, nil
	}
	var ext []externalRow
	for typ, ids := range byType {
		for start := 0; start < len(ids); start += viewChunk {
			busy, cals, err := loadExternalBusy(tx, map[string][]int64{typ: ids[start:min(len(ids), start+viewChunk)]}, from, to)
			if err != nil {
				return nil, nil, fmt.Errorf("load external busy times: %w", err)
			}
			blocks := map[int64]planning.ResourceRef{}
			for _, c := range cals {
				blocks[c.ID] = planning.ResourceRef{Type: planning.ResourceType(c.BlocksType), ID: c.BlocksID}
			}
			for _, e := range busy {
				ext = append(ext, externalRow{busy: e, blocks: blocks[e.ActivityID]})
			}
		}
	}
	blackouts, err := loadBlackouts(tx, byType[string(planning.ResourceOrganization)], from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("load blackouts: %w", err)
	}
	return ext, blackouts, nil
}

// externalOf narrows external rows to those loadExternalBusy would read
// for one activity: of a subscription blocking a claimed resource,
// overlapping [from, to).
func externalOf(all []externalRow, claims []planning.Claim, from, to time.Time) []planning.Busy {
	var out []planning.Busy
	for _, e := range all {
		if !e.busy.Start.Before(to) || !e.busy.End.After(from) {
			continue
		}
		for _, c := range claims {
			if c.Resource == e.blocks {
				out = append(out, e.busy)
				break
			}
		}
	}
	return out
}

// blackoutsOf is what loadBlackouts would read for one activity, answered
// from blackouts already read (a batch's, a window's): those of orgs
// overlapping [from, to), each naming only the organisations of orgs.
func blackoutsOf(all []planning.Blackout, orgs []int64, from, to time.Time) []planning.Blackout {
	var out []planning.Blackout
	for _, b := range all {
		if !b.End.After(from) || !b.Start.Before(to) {
			continue
		}
		var mine []int64
		for _, o := range b.Organizations {
			if slices.Contains(orgs, o) {
				mine = append(mine, o)
			}
		}
		if len(mine) > 0 {
			b.Organizations = mine
			out = append(out, b)
		}
	}
	return out
}

// insertActivityRows inserts the rows of new activities in multi-row
// statements, with the summary of the occurrences insertBulkRelations
// will write for each (report_summary.go), and returns their ids in order:
// the one insert of the bulk writer and of an import's new events.
func (s *Store) insertActivityRows(tx *gorm.DB, items []*bulkItem) ([]int64, error) {
	return s.insertRows(tx, rowInsert{table: "activities", returning: "id", n: len(items), columns: append([]string{
		"kind", "title", "description", "start_at", "end_at", "timezone", "all_day", "rrule", "exdates", "rdates", "status", "format",
		"venue_id", "lead_organization_id", "restricted", "areas", "series", "parent_id", "reminders", "conference_url",
		"version", "sequence", "source_uid", "created_at", "updated_at", "deleted_at",
	}, summaryColumns...), args: func(i int, dst []any) []any {
		r := &items[i].d.row
		dst = append(dst, r.Kind, r.Title, r.Description, r.StartAt, r.EndAt, r.TimeZone, r.AllDay, r.RRule, r.ExDates, r.RDates, r.Status, r.Format,
			r.VenueID, r.LeadOrganizationID, r.Restricted, r.Areas, r.Series, r.ParentID, r.Reminders, r.ConferenceURL,
			r.Version, r.Sequence, r.SourceUID, r.CreatedAt, r.UpdatedAt, r.DeletedAt)
		return summarize(items[i].d.occurrences).args(dst)
	}})
}
