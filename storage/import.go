package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// importChunk is how many events one write transaction of an import
// holds: other bookings wait behind one chunk at most, never behind a
// whole file (a 48,000-event file held every write for two minutes).
const importChunk = 200

// Import writes parsed events as activities led by one organisation. Each
// event is found again by its source UID (scoped to the organisation), so
// importing the same file twice changes nothing and an updated file
// updates only what changed. Conflicts with what is booked are reported,
// not blocking: an imported calendar records what others decided, and its
// bookings hold nothing exclusively (as with an override) so that the
// planners can deconflict them.
//
// Unless opts.Partial, every event is validated before anything is
// written, and one invalid event means nothing is. The writing itself is
// done in transactions of importChunk events; an import that is
// interrupted (a crash, a lost database) leaves whole chunks written and
// is completed by running it again.
func (s *Store) Import(ctx context.Context, a models.Actor, parsed *calendar.ImportResult, opts models.ImportOptions) (*models.ImportReport, error) {
	return s.importWith(ctx, a, parsed, opts, importTuning{chunk: importChunk})
}

// importTuning is how an import runs: chunk events a transaction
// (importChunk but in tests), and, when oneByOne, every new activity
// written alone through the booking path (buildDraft, evaluate, persist)
// as every import did before the batches: the reference the tests
// compare the batches with.
type importTuning struct {
	chunk    int
	oneByOne bool
}

// importWith is Import, tuned.
func (s *Store) importWith(ctx context.Context, a models.Actor, parsed *calendar.ImportResult, opts models.ImportOptions, tune importTuning) (*models.ImportReport, error) {
	rep := &models.ImportReport{DryRun: opts.DryRun, Skipped: nonNilSlice(parsed.Skipped), Warnings: nonNilSlice(parsed.Warnings), Errors: nonNilSlice(parsed.Errors), Conflicts: []models.ImportConflict{}}
	org, err := s.GetOrganization(ctx, opts.Organization)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "organization", Message: fmt.Sprintf("no organisation %q", opts.Organization)}}}
		}
		return nil, err
	}
	if err := a.CanWriteActivity(org.ID); err != nil {
		return nil, err
	}
	if len(rep.Errors) > 0 && !opts.Partial {
		return rep, models.ErrImportInvalid
	}
	rep.Warnings = append(rep.Warnings, s.clippedSeries(parsed.Events)...)
	events := parsed.Events
	var settled *importSettled
	if !opts.Partial && !opts.DryRun && len(events) > tune.chunk {
		errs, found, err := s.validateImport(ctx, a, org, events, tune)
		settled = found
		if err != nil {
			return nil, err
		} else if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			return rep, models.ErrImportInvalid
		}
	}
	for first := 0; first < len(events); first += tune.chunk {
		chunk := events[first:min(first+tune.chunk, len(events))]
		var part *models.ImportReport
		err := s.write(ctx, func(tx *gorm.DB) error {
			part = &models.ImportReport{}
			return s.importChunk(tx, a, org, chunk, first, len(events), settled, opts, tune.oneByOne, part)
		})
		if err != nil && !errors.Is(err, errRollback) && !errors.Is(err, models.ErrImportInvalid) {
			return rep, err
		}
		rep.Add(part)
		if errors.Is(err, models.ErrImportInvalid) {
			// Something changed between validation and writing (an
			// attendee deleted meanwhile); earlier chunks stay written.
			return rep, models.ErrImportInvalid
		}
	}
	if opts.Progress != nil {
		opts.Progress(len(events), len(events))
	}
	return rep, nil
}

// importChunk writes one chunk of an import in transaction tx, in the
// order of the file: new events gather in a batch written with multi-row
// inserts and checked against an in-memory index (flushNew), which is
// written before any update so that the update's check sees it; updates
// go the booking path one by one; unchanged events touch nothing but their
// import digest, when a full comparison had to vouch for them.
func (s *Store) importChunk(tx *gorm.DB, a models.Actor, org *models.Organization, chunk []calendar.ImportedEvent, first, total int, settled *importSettled, opts models.ImportOptions, oneByOne bool, part *models.ImportReport) error {
	people, err := chunkAttendees(tx, chunk)
	if err != nil {
		return err
	}
	var evs []importedEvent
	if settled != nil {
		// The validation pass mapped and digested these events already;
		// again only if an attendee's address resolves otherwise now.
		if v, ok := settled.events[first]; ok && maps.Equal(v.people, people) {
			evs = v.events
		}
	}
	if evs == nil {
		if evs, err = chunkEvents(org, chunk, people); err != nil {
			return err
		}
	}
	known, err := importedBefore(tx, a, org, evs, settled)
	if err != nil {
		return err
	}
	w := &importWrite{refs: chunkRefs(tx, org, people), sqlite: s.dialect == models.SQLite}
	w.refs.oneByOne = oneByOne
	defer func() {
		if w.restore != nil {
			w.restore()
		}
	}()
	if settled != nil {
		for _, ev := range evs {
			uid := "ics:" + org.Code + ":" + ev.ev.UID
			if d, ok := settled.verified[uid]; ok && len(known[uid]) == 1 && known[uid][0].settled {
				w.digests = append(w.digests, d)
			}
		}
	}
	for i, ev := range evs {
		if opts.Progress != nil {
			opts.Progress(first+i, total)
		}
		if err := s.importOne(tx, a, org, ev, known, w, part); err != nil {
			var ve *models.ValidationError
			if !errors.As(err, &ve) {
				return fmt.Errorf("import event %q (line %d): %w", ev.ev.UID, ev.ev.Line, err)
			}
			part.Errors = append(part.Errors, calendar.ImportError{Line: ev.ev.Line, UID: ev.ev.UID, Message: ve.Error()})
		}
	}
	if err := w.flush(s, tx, a, part); err != nil {
		return err
	}
	if err := writeDigests(tx, w.digests); err != nil {
		return err
	}
	if len(part.Errors) > 0 && !opts.Partial {
		return models.ErrImportInvalid
	}
	if opts.DryRun {
		return errRollback
	}
	return nil
}

// importWrite is what a chunk's writing gathers: the new activities not
// yet written and the import digests to record.
type importWrite struct {
	refs    *importRefs
	batch   []*importNew
	digests []importDigest
	// sqlite: the page cache is widened for the chunk's first write
	// (widenPageCache), and restore puts it back.
	sqlite  bool
	restore func()
}

// widen widens SQLite's page cache once, before the chunk's first write:
// a chunk that writes nothing (an unchanged re-import) leaves it alone.
func (w *importWrite) widen(tx *gorm.DB) error {
	if !w.sqlite || w.restore != nil {
		return nil
	}
	restore, err := widenPageCache(tx)
	w.restore = restore
	return err
}

// flush writes the new activities gathered so far.
func (w *importWrite) flush(s *Store, tx *gorm.DB, a models.Actor, rep *models.ImportReport) error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := w.widen(tx); err != nil {
		return err
	}
	err := s.flushNew(tx, a, w.batch, rep, &w.digests)
	w.batch = w.batch[:0]
	return err
}

// importSettled is what the validation pass found unchanged: by source
// UID, the activities (and versions) that verdict rests on, and the
// digests a full comparison vouched for (recorded when writing).
type importSettled struct {
	stamps   map[string][]importStamp
	verified map[string]importDigest
	// events are the chunks' events as validation mapped them, by the
	// position of their first, with the attendees they resolved.
	events map[int]settledChunk
}

// settledChunk is one chunk's events as the validation pass mapped them.
type settledChunk struct {
	people map[models.Ref]int64
	events []importedEvent
}

// validateImport checks every event as importOne would, writing nothing
// and holding no write lock, and lists the invalid ones. It also returns
// the events it found unchanged, with the activities (and their versions)
// that verdict rests on, so that writing does not load them again
// (importedBefore).
func (s *Store) validateImport(ctx context.Context, a models.Actor, org *models.Organization, events []calendar.ImportedEvent, tune importTuning) ([]calendar.ImportError, *importSettled, error) {
	db := s.db.WithContext(ctx)
	var out []calendar.ImportError
	settled := &importSettled{stamps: map[string][]importStamp{}, verified: map[string]importDigest{}, events: map[int]settledChunk{}}
	// A UID the file carries twice is settled only if every one of its
	// events was found unchanged.
	spoiled := map[string]bool{}
	for first := 0; first < len(events); first += tune.chunk {
		chunk := events[first:min(first+tune.chunk, len(events))]
		people, err := chunkAttendees(db, chunk)
		if err != nil {
			return nil, nil, err
		}
		evs, err := chunkEvents(org, chunk, people)
		if err != nil {
			return nil, nil, err
		}
		settled.events[first] = settledChunk{people: people, events: evs}
		known, err := importedBefore(db, a, org, evs, nil)
		if err != nil {
			return nil, nil, err
		}
		refs := chunkRefs(db, org, people)
		refs.oneByOne = tune.oneByOne
		for _, ev := range evs {
			p, err := s.prepareImport(db, a, org, ev, known, refs)
			uid := "ics:" + org.Code + ":" + ev.ev.UID
			if err == nil && p.unchanged && !spoiled[uid] {
				settled.stamps[uid] = known[uid][0].stamps
				if p.verified != nil {
					settled.verified[uid] = *p.verified
				}
			} else {
				delete(settled.stamps, uid)
				delete(settled.verified, uid)
				spoiled[uid] = true
			}
			var ve *models.ValidationError
			switch {
			case err == nil:
			case errors.As(err, &ve):
				out = append(out, calendar.ImportError{Line: ev.ev.Line, UID: ev.ev.UID, Message: ve.Error()})
			default:
				return nil, nil, fmt.Errorf("validate event %q (line %d): %w", ev.ev.UID, ev.ev.Line, err)
			}
		}
	}
	return out, settled, nil
}

// preparedImport is what an imported event means for the store: the
// activity it updates (nil: a new one), or why it is left alone, and the
// checked draft otherwise.
type preparedImport struct {
	uid        string
	hash       string
	in         models.ActivityInput
	row        *models.Activity
	cur        *models.ActivityView
	skipReason string
	unchanged  bool
	// verified, for an unchanged event that a full comparison (not its
	// stored digest) found so, is the digest to record for it.
	verified *importDigest
	draft    *draft
}

// prepareImport maps an event onto the activity it creates or updates
// and validates the result; it writes nothing. A re-import goes the way
// of PATCH: the activity is loaded for the actor and must be one it may
// see and change (loadCurrent), and only what the file says is changed
// (mergeImported). An activity imported from the same UID that the actor
// can no longer see (it was handed to another organisation and restricted
// to it) is treated as absent: the file becomes a new activity of the
// actor's, and nothing about the other one is revealed.
func (s *Store) prepareImport(tx *gorm.DB, a models.Actor, org *models.Organization, ie importedEvent, known map[string][]importedView, refs *importRefs) (*preparedImport, error) {
	ev := ie.ev
	p := &preparedImport{uid: "ics:" + org.Code + ":" + ev.UID, hash: ie.hash}
	in := ie.in
	var err error
	if known != nil {
		if ok, target := unchangedImport(a, known[p.uid], in, ev); ok {
			p.unchanged = true
			if target != nil {
				p.verified = &importDigest{activityID: target.id, hash: ie.hash, version: target.version}
			}
			return p, nil
		}
	}
	var row *models.Activity
	var cur *models.ActivityView
	// The chunk's read already says whether an earlier import exists;
	// only then is one loaded for update.
	if known == nil || len(known[p.uid]) > 0 {
		row, cur, err = s.importTarget(tx, a, p.uid)
	}
	if err != nil {
		var fe *models.ForbiddenError
		if errors.As(err, &fe) {
			p.skipReason = "the activity imported from this event is now led by another organisation; it was left unchanged"
			return p, nil
		}
		return nil, err
	}
	if row == nil {
		// A new activity: validated from the chunk's lookups, as
		// buildDraft would.
		p.in = in
		if refs.oneByOne {
			p.draft, err = s.buildDraft(tx, a.Viewer(), in, 0)
		} else {
			p.draft, err = s.importDraft(refs, in)
		}
		if err != nil {
			return nil, err
		}
		if err := a.CanWriteActivity(p.draft.row.LeadOrganizationID); err != nil {
			return nil, err
		}
		return p, nil
	}
	in = mergeImported(cur.Input(), in, ev)
	ovs, err := loadOverrides(tx, row.ID)
	if err != nil {
		return nil, fmt.Errorf("load overrides of activity %d: %w", row.ID, err)
	}
	if sameInput(cur.Input(), in) && sameOverrides(ovs, *in.Overrides) {
		p.unchanged = true
		p.verified = &importDigest{activityID: row.ID, hash: ie.hash, version: row.Version}
		return p, nil
	}
	p.in, p.row, p.cur = in, row, cur
	if p.draft, err = s.buildDraft(tx, a.Viewer(), in, row.ID); err != nil {
		return nil, err
	}
	if err := a.CanWriteActivity(p.draft.row.LeadOrganizationID); err != nil {
		return nil, err
	}
	return p, nil
}

// importOne creates, updates or leaves one event. A new activity joins
// the chunk's batch (written by importWrite.flush); an update first
// writes that batch, so that its check sees the activities before it.
func (s *Store) importOne(tx *gorm.DB, a models.Actor, org *models.Organization, ie importedEvent, known map[string][]importedView, w *importWrite, rep *models.ImportReport) error {
	ev := ie.ev
	p, err := s.prepareImport(tx, a, org, ie, known, w.refs)
	switch {
	case err != nil:
		return err
	case p.skipReason != "":
		rep.Skipped = append(rep.Skipped, calendar.Skipped{UID: ev.UID, Reason: p.skipReason})
		return nil
	case p.unchanged:
		if p.verified != nil {
			w.digests = append(w.digests, *p.verified)
		}
		rep.Unchanged++
		return nil
	case p.row == nil && !w.refs.oneByOne:
		w.batch = append(w.batch, &importNew{ev: ev, p: p})
		return nil
	}
	if err := w.flush(s, tx, a, rep); err != nil {
		return err
	}
	if err := w.widen(tx); err != nil {
		return err
	}
	report, err := s.evaluate(tx, a, p.draft)
	if err != nil {
		return err
	}
	for _, c := range append(report.Conflicts, report.Warnings...) {
		rep.Conflicts = append(rep.Conflicts, models.ImportConflict{UID: ev.UID, ConflictView: c})
	}
	action := "import_create"
	if p.row != nil {
		action = "import_update"
	}
	if err := s.persist(tx, a, p.draft, p.row, p.cur, action, WriteOptions{SourceUID: p.uid}, true); err != nil {
		return err
	}
	if err := writeOverrides(tx, p.draft.row.ID, *p.in.Overrides, s.now()); err != nil {
		return err
	}
	w.digests = append(w.digests, importDigest{activityID: p.draft.row.ID, hash: p.hash, version: p.draft.row.Version})
	if p.row == nil {
		rep.Created++
	} else {
		rep.Updated++
	}
	return nil
}

// importedView is a live activity an earlier import created, with what
// authorising a change of it needs.
type importedView struct {
	view   models.ActivityView
	leadID int64
	// settled: the event is unchanged against exactly the activities in
	// stamps at those versions, as the validation pass compared them or
	// their import digests vouch (view is then empty).
	settled bool
	stamps  []importStamp
}

// importedBefore reads, in a few queries, the live activities that the
// events of a chunk were imported as, by source UID and oldest first, so
// that a re-import recognises an unchanged event without loading each
// activity for update (an unchanged re-import was a dozen queries an
// event).
//
// An event whose activity's import digest vouches for it (vouched), or
// that settled says the validation pass found unchanged against the same
// activities at the same versions, is unchanged without loading them.
func importedBefore(tx *gorm.DB, a models.Actor, org *models.Organization, chunk []importedEvent, settled *importSettled) (map[string][]importedView, error) {
	uids := make([]string, 0, len(chunk))
	hashes := map[string][]string{}
	for _, ev := range chunk {
		uid := "ics:" + org.Code + ":" + ev.ev.UID
		if _, ok := hashes[uid]; !ok {
			uids = append(uids, uid)
		}
		hashes[uid] = append(hashes[uid], ev.hash)
	}
	rows, err := importCandidates(tx, uids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]importedView, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	byUID := map[string][]importCandidate{}
	for _, r := range rows {
		byUID[r.SourceUID] = append(byUID[r.SourceUID], r)
	}
	ids := make([]int64, 0, len(rows))
	for uid, cands := range byUID {
		now := make([]importStamp, len(cands))
		for i, c := range cands {
			now[i] = importStamp{id: c.ID, version: c.Version}
		}
		if settled != nil {
			if want, ok := settled.stamps[uid]; ok && slices.Equal(want, now) {
				out[uid] = []importedView{{settled: true, stamps: now}}
				continue
			}
		}
		if _, ok := vouched(a, cands, hashes[uid]); ok {
			out[uid] = []importedView{{settled: true, stamps: now}}
			continue
		}
		for _, c := range cands {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	views, err := loadViews(tx, ids)
	if err != nil {
		return nil, fmt.Errorf("load the activities of earlier imports: %w", err)
	}
	byID := make(map[int64]*models.ActivityView, len(views))
	for i := range views {
		byID[views[i].ID] = &views[i]
	}
	for _, r := range rows {
		if v, ok := byID[r.ID]; ok {
			out[r.SourceUID] = append(out[r.SourceUID], importedView{view: *v, leadID: r.LeadOrganizationID})
		}
	}
	for uid, views := range out {
		if len(views) > 0 && !views[0].settled {
			stamps := importStamps(views)
			for i := range views {
				views[i].stamps = stamps
			}
			out[uid] = views
		}
	}
	return out, nil
}

// unchangedImport reports whether the event would change nothing in the
// activity a re-import of it updates: the oldest of candidates that a may
// see and change, as importTarget picks it. target is that activity when
// the candidates were loaded and compared (nil when they were settled
// without it).
func unchangedImport(a models.Actor, candidates []importedView, in models.ActivityInput, ev calendar.ImportedEvent) (bool, *importStamp) {
	for _, c := range candidates {
		if c.settled {
			return true, nil
		}
		if !a.Viewer().CanSee(c.view.Restricted, c.view.Allowed) || a.CanWriteActivity(c.leadID) != nil {
			continue
		}
		cur := c.view.Input()
		merged := mergeImported(cur, in, ev)
		stored := make([]planning.Override, len(c.view.Overrides))
		for i, o := range c.view.Overrides {
			stored[i] = planning.Override{RecurrenceID: o.RecurrenceID.UTC(), Cancelled: o.Cancelled, Start: o.Start.UTC(), End: o.End.UTC()}
		}
		if sameInput(cur, merged) && sameOverrides(stored, *merged.Overrides) {
			return true, &importStamp{id: c.view.ID, version: c.view.Version}
		}
		return false, nil
	}
	return false, nil
}

// importTarget finds the activity a re-import of source UID uid updates:
// the oldest live one that a may see and change. It returns nils when
// there is none that a can see, and a ForbiddenError when a can see one
// but no longer change it.
func (s *Store) importTarget(tx *gorm.DB, a models.Actor, uid string) (*models.Activity, *models.ActivityView, error) {
	var ids []int64
	if err := tx.Model(&models.Activity{}).Where("source_uid = ? AND deleted_at IS NULL", uid).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, nil, fmt.Errorf("find activities imported from %q: %w", uid, err)
	}
	var forbidden error
	for _, id := range ids {
		cur, row, err := s.loadCurrent(tx, a, id, 0)
		var fe *models.ForbiddenError
		switch {
		case err == nil:
			return row, cur, nil
		case errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone):
			continue
		case errors.As(err, &fe):
			forbidden = err
		default:
			return nil, nil, fmt.Errorf("load activity %d for re-import: %w", id, err)
		}
	}
	return nil, nil, forbidden
}

// mergeImported applies to the current state of an activity what an
// imported event says, and only that: its time, recurrence and title
// always; its kind, status, description, reminders, conference link and
// attendees when the event carries them. What jointcal alone knows —
// lead, visibility, areas, series, venue, parent, and the body and
// organisation participants — stays as the planners set it.
func mergeImported(cur, file models.ActivityInput, ev calendar.ImportedEvent) models.ActivityInput {
	out := cur
	out.Title, out.Start, out.End, out.TimeZone, out.AllDay = file.Title, file.Start, file.End, file.TimeZone, file.AllDay
	out.RRule, out.ExDates, out.RDates = file.RRule, file.ExDates, file.RDates
	out.Overrides = file.Overrides
	if _, ok := kindFromCategories(ev.Categories); ok {
		out.Kind = file.Kind
	}
	if ev.Status != "" {
		out.Status = file.Status
	}
	if file.Description != "" {
		out.Description = file.Description
	}
	if len(ev.Reminders) > 0 {
		out.Reminders = file.Reminders
	}
	if ev.ConferenceURL != "" {
		out.ConferenceURL, out.Format = file.ConferenceURL, file.Format
	}
	if len(ev.Attendees) > 0 {
		kept := make([]models.ParticipantInput, 0, len(cur.Participants)+len(file.Participants))
		for _, p := range cur.Participants {
			if p.Type != "person" {
				kept = append(kept, p)
			}
		}
		out.Participants = append(kept, file.Participants...)
	}
	return out
}

// kindFromCategories finds the first CATEGORIES value that names an
// activity kind ("Cross briefing" → cross_briefing).
func kindFromCategories(categories []string) (string, bool) {
	for _, c := range categories {
		if k := models.Kind(strings.ToLower(strings.ReplaceAll(c, " ", "_"))); k.Valid() {
			return string(k), true
		}
	}
	return "", false
}

// importInput maps an imported event onto the activity it becomes;
// people are the ids of the attendees' addresses (chunkAttendees).
func importInput(org *models.Organization, ev calendar.ImportedEvent, people map[models.Ref]int64) models.ActivityInput {
	in := models.ActivityInput{
		Kind: string(models.KindMeeting), Title: strings.TrimSpace(ev.Title), Start: ev.Start, End: ev.End, TimeZone: ev.TimeZone, AllDay: ev.AllDay,
		RRule: ev.RRule, ExDates: ev.ExDates, RDates: ev.RDates, Status: ev.Status, LeadOrganization: models.Ref(org.Code),
		ConferenceURL: ev.ConferenceURL, Areas: []string{}, Reminders: []string{},
	}
	if in.Title == "" {
		in.Title = "(untitled)"
	}
	if in.Status == "" {
		in.Status = string(models.StatusConfirmed)
	}
	if in.ConferenceURL != "" {
		in.Format = string(models.FormatHybrid)
		if ev.Location == "" {
			in.Format = string(models.FormatVirtual)
		}
	}
	if k, ok := kindFromCategories(ev.Categories); ok {
		in.Kind = k
	}
	// A timed event without DTEND or DURATION occupies no time (RFC
	// 5545); an activity needs a span, so it is booked as one hour.
	if !in.End.After(in.Start) {
		in.End = in.Start.Add(time.Hour)
	}
	if in.RRule != "" && in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	for _, r := range ev.Reminders {
		if r > 0 {
			in.Reminders = append(in.Reminders, isoduration.Format(r))
		}
	}
	var desc []string
	if strings.TrimSpace(ev.Description) != "" {
		desc = append(desc, strings.TrimSpace(ev.Description))
	}
	if ev.Location != "" {
		desc = append(desc, "Location: "+ev.Location)
	}
	// Attendees known by their e-mail address take part; the others are
	// named in the description so nobody is silently dropped.
	var unknown []string
	seen := map[int64]bool{}
	for _, at := range ev.Attendees {
		id, ok := people[models.Ref(at.Email)]
		if !ok || at.Email == "" {
			if at.Email != "" {
				unknown = append(unknown, at.Email)
			}
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		req, role, rsvp := at.Required, at.Role, at.RSVP
		if role == "" {
			role = string(models.RoleParticipant)
		}
		if rsvp == "" {
			rsvp = string(models.RSVPNeedsAction)
		}
		in.Participants = append(in.Participants, models.ParticipantInput{Type: "person", IDOrCode: models.Ref(at.Email), Role: role, Required: &req, RSVP: rsvp})
	}
	if len(unknown) > 0 {
		desc = append(desc, "Also invited: "+invitedList(unknown))
	}
	in.Description = strings.Join(desc, "\n\n")
	ovs := ev.PlanningOverrides(in.End.Sub(in.Start))
	in.Overrides = &ovs
	return in
}

// clippedSeries warns about the series too long to keep whole: jointcal
// keeps their occurrences from the feeds' past window on (planning.Limits
// Past), and the planner should know how much of the partner's series is
// not in the plan.
func (s *Store) clippedSeries(events []calendar.ImportedEvent) []calendar.ImportError {
	var out []calendar.ImportError
	for _, ev := range events {
		if ev.RRule == "" {
			continue
		}
		end := ev.End
		if !end.After(ev.Start) {
			end = ev.Start.Add(time.Hour)
		}
		tz := ev.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		from, n, err := planning.Clipped(ev.Recurrence(end, tz), s.now(), s.planning.Limits)
		if err != nil || from.IsZero() {
			continue // an invalid series is reported when it is imported
		}
		out = append(out, calendar.ImportError{Line: ev.Line, UID: ev.UID, Message: fmt.Sprintf(
			"the series started %s and is too long to keep whole: %d occurrences before %s are not kept (only the past %d days and the planning horizon are)",
			ev.Start.Format("2006-01-02"), n, from.UTC().Format("2006-01-02"), int(from.Sub(s.now()).Hours()/-24+0.5))})
	}
	return out
}

// invitedBudget is how much of an activity's description the addresses of
// attendees who are not people of jointcal may take; the description
// itself is limited (20,000 characters) and a plenary has hundreds.
const invitedBudget = 4000

// invitedList joins addresses up to invitedBudget, then says how many more.
func invitedList(emails []string) string {
	var b strings.Builder
	for i, e := range emails {
		if b.Len()+len(e) > invitedBudget {
			fmt.Fprintf(&b, " and %d more", len(emails)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e)
	}
	return b.String()
}

// emailBatch is how many addresses one lookup query binds, well under
// SQLite's and PostgreSQL's limits on bound variables.
const emailBatch = 500

// resolveEmails finds the people with the given addresses, in batches.
func resolveEmails(tx *gorm.DB, emails []models.Ref) (map[models.Ref]int64, error) {
	out := make(map[models.Ref]int64, len(emails))
	for start := 0; start < len(emails); start += emailBatch {
		part, err := resolveMany(tx, "people", "email", emails[start:min(start+emailBatch, len(emails))])
		if err != nil {
			return nil, fmt.Errorf("look up %d attendee addresses: %w", len(emails), err)
		}
		for k, v := range part {
			out[k] = v
		}
	}
	return out, nil
}

// writeOverrides replaces the moved and cancelled instances of an activity.
func writeOverrides(tx *gorm.DB, id int64, ovs []planning.Override, now time.Time) error {
	if err := tx.Where("activity_id = ?", id).Delete(&overrideRow{}).Error; err != nil {
		return fmt.Errorf("delete override: %w", err)
	}
	for _, o := range ovs {
		if err := tx.Create(&overrideRow{ActivityID: id, RecurrenceID: o.RecurrenceID.Unix(), Cancelled: o.Cancelled, StartS: o.Start.Unix(), EndS: o.End.Unix(), UpdatedAt: now}).Error; err != nil {
			return fmt.Errorf("insert override: %w", err)
		}
	}
	return nil
}

// sameInput compares two activity inputs as stored (instants, not zones).
func sameInput(a, b models.ActivityInput) bool {
	norm := func(in models.ActivityInput) models.ActivityInput {
		in.Start, in.End = in.Start.UTC(), in.End.UTC()
		in.ExDates, in.RDates = utcTimes(in.ExDates), utcTimes(in.RDates)
		in.Overrides = nil
		for _, list := range []*[]string{&in.Areas, &in.Reminders} {
			if len(*list) == 0 {
				*list = nil
			}
		}
		if len(in.Participants) == 0 {
			in.Participants = nil
		}
		if len(in.Visibility) == 0 {
			in.Visibility = nil
		}
		if in.Format == "" {
			in.Format = string(models.FormatInPerson)
		}
		return in
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func sameOverrides(stored, imported []planning.Override) bool {
	if len(stored) != len(imported) {
		return false
	}
	want := map[int64]planning.Override{}
	for _, o := range imported {
		want[o.RecurrenceID.Unix()] = o
	}
	for _, o := range stored {
		w, ok := want[o.RecurrenceID.Unix()]
		if !ok || w.Cancelled != o.Cancelled || !w.Start.Equal(o.Start) || !w.End.Equal(o.End) {
			return false
		}
	}
	return true
}

func utcTimes(ts []time.Time) []time.Time {
	if len(ts) == 0 {
		return nil
	}
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
