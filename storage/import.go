package storage

import (
	"context"
	"errors"
	"fmt"
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
	var settled map[string][]importStamp
	if !opts.Partial && !opts.DryRun && len(events) > importChunk {
		errs, found, err := s.validateImport(ctx, a, org, events)
		settled = found
		if err != nil {
			return nil, err
		} else if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			return rep, models.ErrImportInvalid
		}
	}
	for first := 0; first < len(events); first += importChunk {
		chunk := events[first:min(first+importChunk, len(events))]
		var part *models.ImportReport
		err := s.write(ctx, func(tx *gorm.DB) error {
			part = &models.ImportReport{}
			known, err := importedBefore(tx, org, chunk, settled)
			if err != nil {
				return err
			}
			people, err := chunkAttendees(tx, chunk)
			if err != nil {
				return err
			}
			for i, ev := range chunk {
				if opts.Progress != nil {
					opts.Progress(first+i, len(events))
				}
				if err := s.importOne(tx, a, org, ev, known, people, part); err != nil {
					var ve *models.ValidationError
					if !errors.As(err, &ve) {
						return fmt.Errorf("import event %q (line %d): %w", ev.UID, ev.Line, err)
					}
					part.Errors = append(part.Errors, calendar.ImportError{Line: ev.Line, UID: ev.UID, Message: ve.Error()})
				}
			}
			if len(part.Errors) > 0 && !opts.Partial {
				return models.ErrImportInvalid
			}
			if opts.DryRun {
				return errRollback
			}
			return nil
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

// validateImport checks every event as importOne would, writing nothing
// and holding no write lock, and lists the invalid ones. It also returns
// the events it found unchanged, with the activities (and their versions)
// that verdict rests on, so that writing does not load them again
// (importedBefore).
func (s *Store) validateImport(ctx context.Context, a models.Actor, org *models.Organization, events []calendar.ImportedEvent) ([]calendar.ImportError, map[string][]importStamp, error) {
	db := s.db.WithContext(ctx)
	var out []calendar.ImportError
	settled := map[string][]importStamp{}
	// A UID the file carries twice is settled only if every one of its
	// events was found unchanged.
	spoiled := map[string]bool{}
	for first := 0; first < len(events); first += importChunk {
		chunk := events[first:min(first+importChunk, len(events))]
		known, err := importedBefore(db, org, chunk, nil)
		if err != nil {
			return nil, nil, err
		}
		people, err := chunkAttendees(db, chunk)
		if err != nil {
			return nil, nil, err
		}
		for _, ev := range chunk {
			p, err := s.prepareImport(db, a, org, ev, known, people)
			uid := "ics:" + org.Code + ":" + ev.UID
			if err == nil && p.unchanged && !spoiled[uid] {
				settled[uid] = importStamps(known[uid])
			} else {
				delete(settled, uid)
				spoiled[uid] = true
			}
			var ve *models.ValidationError
			switch {
			case err == nil:
			case errors.As(err, &ve):
				out = append(out, calendar.ImportError{Line: ev.Line, UID: ev.UID, Message: ve.Error()})
			default:
				return nil, nil, fmt.Errorf("validate event %q (line %d): %w", ev.UID, ev.Line, err)
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
	in         models.ActivityInput
	row        *models.Activity
	cur        *models.ActivityView
	skipReason string
	unchanged  bool
	draft      *draft
}

// prepareImport maps an event onto the activity it creates or updates
// and validates the result; it writes nothing. A re-import goes the way
// of PATCH: the activity is loaded for the actor and must be one it may
// see and change (loadCurrent), and only what the file says is changed
// (mergeImported). An activity imported from the same UID that the actor
// can no longer see (it was handed to another organisation and restricted
// to it) is treated as absent: the file becomes a new activity of the
// actor's, and nothing about the other one is revealed.
func (s *Store) prepareImport(tx *gorm.DB, a models.Actor, org *models.Organization, ev calendar.ImportedEvent, known map[string][]importedView, people map[models.Ref]int64) (*preparedImport, error) {
	p := &preparedImport{uid: "ics:" + org.Code + ":" + ev.UID}
	in := importInput(org, ev, people)
	var err error
	if known != nil && unchangedImport(a, known[p.uid], in, ev) {
		p.unchanged = true
		return p, nil
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
	id := int64(0)
	if row != nil {
		id = row.ID
		in = mergeImported(cur.Input(), in, ev)
		ovs, err := loadOverrides(tx, id)
		if err != nil {
			return nil, fmt.Errorf("load overrides of activity %d: %w", id, err)
		}
		if sameInput(cur.Input(), in) && sameOverrides(ovs, *in.Overrides) {
			p.unchanged = true
			return p, nil
		}
	}
	p.in, p.row, p.cur = in, row, cur
	if p.draft, err = s.buildDraft(tx, a.Viewer(), in, id); err != nil {
		return nil, err
	}
	if err := a.CanWriteActivity(p.draft.row.LeadOrganizationID); err != nil {
		return nil, err
	}
	return p, nil
}

// importOne creates, updates or leaves one event.
func (s *Store) importOne(tx *gorm.DB, a models.Actor, org *models.Organization, ev calendar.ImportedEvent, known map[string][]importedView, people map[models.Ref]int64, rep *models.ImportReport) error {
	p, err := s.prepareImport(tx, a, org, ev, known, people)
	switch {
	case err != nil:
		return err
	case p.skipReason != "":
		rep.Skipped = append(rep.Skipped, calendar.Skipped{UID: ev.UID, Reason: p.skipReason})
		return nil
	case p.unchanged:
		rep.Unchanged++
		return nil
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
	// settled: the validation pass found the event unchanged against
	// exactly these activities at these versions (view is then empty).
	settled bool
}

// importedBefore reads, in a few queries, the live activities that the
// events of a chunk were imported as, by source UID and oldest first, so
// that a re-import recognises an unchanged event without loading each
// activity for update (an unchanged re-import was a dozen queries an
// event).
//
// An event in settled whose activities are still the same ones at the
// same versions is unchanged without loading them: validateImport has
// just compared it, for the same actor.
func importedBefore(tx *gorm.DB, org *models.Organization, chunk []calendar.ImportedEvent, settled map[string][]importStamp) (map[string][]importedView, error) {
	uids := make([]string, len(chunk))
	for i, ev := range chunk {
		uids[i] = "ics:" + org.Code + ":" + ev.UID
	}
	var rows []struct {
		ID                 int64
		SourceUID          string
		LeadOrganizationID int64
		Version            int
	}
	if err := tx.Model(&models.Activity{}).Select("id, source_uid, lead_organization_id, version").Where("source_uid IN ? AND deleted_at IS NULL", uids).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find the activities of earlier imports: %w", err)
	}
	out := make(map[string][]importedView, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	now := map[string][]importStamp{}
	for _, r := range rows {
		now[r.SourceUID] = append(now[r.SourceUID], importStamp{id: r.ID, version: r.Version})
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		if want, ok := settled[r.SourceUID]; ok && slices.Equal(want, now[r.SourceUID]) {
			out[r.SourceUID] = []importedView{{settled: true}}
			continue
		}
		ids = append(ids, r.ID)
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
	return out, nil
}

// unchangedImport reports whether the event would change nothing in the
// activity a re-import of it updates: the oldest of candidates that a may
// see and change, as importTarget picks it.
func unchangedImport(a models.Actor, candidates []importedView, in models.ActivityInput, ev calendar.ImportedEvent) bool {
	for _, c := range candidates {
		if c.settled {
			return true
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
		return sameInput(cur, merged) && sameOverrides(stored, *merged.Overrides)
	}
	return false
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
