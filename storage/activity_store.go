package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// WriteOptions qualify an activity write.
type WriteOptions struct {
	// IfVersion, when not 0, must be the current version (If-Match).
	IfVersion int
	// OverrideReason forces a booking despite hard conflicts; the reason
	// and the conflicts are audited.
	OverrideReason string
	// SourceUID records where an activity came from (an imported UID, a
	// demo key), so a repeated import updates instead of duplicating.
	SourceUID string
	// linked, when set, runs in the write's transaction once the activity
	// is stored (a PACE pair's coordination meeting is linked to its pair
	// in the same commit).
	linked func(tx *gorm.DB, id int64) error
}

// GetActivity returns one activity the actor may see.
func (s *Store) GetActivity(ctx context.Context, a models.Actor, id int64) (*models.ActivityView, error) {
	views, err := loadViews(s.db.WithContext(ctx), []int64{id})
	if err != nil {
		return nil, err
	}
	if len(views) == 0 || !a.Viewer().CanSee(views[0].Restricted, views[0].Allowed) {
		return nil, models.ErrNotFound
	}
	if views[0].DeletedAt != nil {
		return nil, models.ErrGone
	}
	return &views[0], nil
}

// CreateActivity books an activity after checking it for conflicts.
func (s *Store) CreateActivity(ctx context.Context, a models.Actor, in models.ActivityInput, opts WriteOptions) (*models.WriteResult, error) {
	return s.change(ctx, a, 0, opts, "create", func(*gorm.DB, *models.ActivityView) (models.ActivityInput, error) { return in, nil })
}

// UpdateActivity replaces the writable fields of an activity after
// checking the result for conflicts.
func (s *Store) UpdateActivity(ctx context.Context, a models.Actor, id int64, in models.ActivityInput, opts WriteOptions) (*models.WriteResult, error) {
	if id == 0 {
		return nil, models.ErrNotFound
	}
	return s.change(ctx, a, id, opts, "update", func(*gorm.DB, *models.ActivityView) (models.ActivityInput, error) { return in, nil })
}

// ChangeOccurrence records a moved or cancelled instance (RECURRENCE-ID
// override) and re-checks the activity. recurrenceID is the original start
// of the instance; a change with neither a move nor a cancellation
// restores the instance.
func (s *Store) ChangeOccurrence(ctx context.Context, a models.Actor, id int64, recurrenceID time.Time, ch models.OccurrenceChange, opts WriteOptions) (*models.WriteResult, error) {
	return s.change(ctx, a, id, opts, "change_occurrence", func(tx *gorm.DB, cur *models.ActivityView) (models.ActivityInput, error) {
		in := cur.Input()
		if in.RRule == "" && len(in.RDates) == 0 {
			return in, &models.ValidationError{Errors: []models.FieldError{{Field: "recurrence_id", Message: "the activity does not recur; change the activity itself"}}}
		}
		rec := planning.Recurrence{Start: in.Start, End: in.End, TimeZone: in.TimeZone, AllDay: in.AllDay, RRule: in.RRule, ExDates: in.ExDates, RDates: in.RDates}
		rid := recurrenceID.UTC()
		occs, err := planning.Expand(rec, rid, rid.Add(time.Second), maxTime(s.now(), rec.Start), s.planning.Limits)
		if err != nil {
			return in, err
		}
		if !slices.ContainsFunc(occs, func(o planning.Occurrence) bool { return o.Start.Equal(rid) }) {
			return in, &models.ValidationError{Errors: []models.FieldError{{Field: "recurrence_id", Message: fmt.Sprintf("no occurrence of the activity starts at %s", rid.Format(time.RFC3339))}}}
		}
		dur := in.End.Sub(in.Start)
		row := overrideRow{ActivityID: id, RecurrenceID: rid.Unix(), Cancelled: ch.Cancelled, StartS: rid.Unix(), EndS: rid.Add(dur).Unix(), UpdatedAt: s.now()}
		if ch.Start != nil {
			row.StartS = ch.Start.Unix()
			row.EndS = ch.Start.Add(dur).Unix()
		}
		if ch.End != nil {
			row.EndS = ch.End.Unix()
		}
		if row.EndS <= row.StartS {
			return in, &models.ValidationError{Errors: []models.FieldError{{Field: "end", Message: "must be after start"}}}
		}
		if time.Duration(row.EndS-row.StartS)*time.Second > models.MaxActivitySpan {
			return in, &models.ValidationError{Errors: []models.FieldError{{Field: "end", Message: fmt.Sprintf("an instance may last at most %d days", int(models.MaxActivitySpan/(24*time.Hour)))}}}
		}
		if err := tx.Where("activity_id = ? AND recurrence_id = ?", id, row.RecurrenceID).Delete(&overrideRow{}).Error; err != nil {
			return in, fmt.Errorf("delete override: %w", err)
		}
		restored := !ch.Cancelled && row.StartS == rid.Unix() && row.EndS == rid.Add(dur).Unix()
		if !restored {
			if err := tx.Create(&row).Error; err != nil {
				return in, fmt.Errorf("change occurrence: %w", err)
			}
		}
		return in, nil
	})
}

// DeleteActivity turns an activity into a tombstone: it vanishes from the
// API and frees its resources, while feeds publish its cancellation.
func (s *Store) DeleteActivity(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		cur, row, err := s.loadCurrent(tx, a, id, ifVersion)
		if err != nil {
			return err
		}
		now := s.now()
		row.DeletedAt = &now
		row.Version++
		row.Sequence++
		row.UpdatedAt = now
		if err := tx.Save(row).Error; err != nil {
			return fmt.Errorf("delete activity: %w", err)
		}
		if err := tx.Where("activity_id = ?", id).Delete(&occupancyRow{}).Error; err != nil {
			return fmt.Errorf("delete occupancy: %w", err)
		}
		if _, err := s.noticeChange(tx, cur, nil, false, nil); err != nil {
			return err
		}
		if err := tx.Model(&proposalRow{}).Where("activity_id = ? AND state = ?", id, string(models.ProposalOpen)).
			Updates(map[string]any{"state": string(models.ProposalWithdrawn), "closed_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("withdraw the proposal of activity %d: %w", id, err)
		}
		return s.audit(tx, a, "delete", "activity", id, cur, nil, "")
	})
}

// CheckActivity runs the conflict rules on a draft without writing it. id
// names the activity being edited (0 for a new one), whose own
// occupancy is then left out.
func (s *Store) CheckActivity(ctx context.Context, a models.Actor, id int64, in models.ActivityInput) (models.CheckReport, error) {
	db := s.db.WithContext(ctx)
	if id != 0 {
		if _, err := s.GetActivity(ctx, a, id); err != nil {
			return models.CheckReport{}, err
		}
	}
	d, err := s.buildDraft(db, a.Viewer(), in, id)
	if err != nil {
		return models.CheckReport{}, err
	}
	return s.evaluate(db, a, d)
}

// loadCurrent reads an activity for a change by a: it must exist, be
// visible to a, and be led by a's organisation (planners).
func (s *Store) loadCurrent(tx *gorm.DB, a models.Actor, id int64, ifVersion int) (*models.ActivityView, *models.Activity, error) {
	var row models.Activity
	if err := loadForUpdate(tx, &row, id, 0); err != nil {
		return nil, nil, err
	}
	views, err := loadViews(tx, []int64{id})
	if err != nil {
		return nil, nil, err
	}
	if len(views) == 0 || !a.Viewer().CanSee(views[0].Restricted, views[0].Allowed) {
		return nil, nil, models.ErrNotFound
	}
	if row.DeletedAt != nil {
		return nil, nil, models.ErrGone
	}
	if err := a.CanWriteActivity(row.LeadOrganizationID); err != nil {
		return nil, nil, err
	}
	if ifVersion != 0 && row.Version != ifVersion {
		return nil, nil, models.ErrStale
	}
	return &views[0], &row, nil
}

// change is the one write path of activities: load and authorise the
// current state, derive the new input, validate and expand it, check it
// for conflicts, and write row, relations, occupancy and audit in one
// transaction that no concurrent booking can interleave with.
func (s *Store) change(ctx context.Context, a models.Actor, id int64, opts WriteOptions, action string, next func(*gorm.DB, *models.ActivityView) (models.ActivityInput, error)) (*models.WriteResult, error) {
	var res models.WriteResult
	// A new activity is validated, resolved and expanded before the write
	// lock is taken, so that concurrent bookings only serialise on the
	// check and the insert (references are protected by foreign keys).
	var early *draft
	// written is the view read inside the write, still true after it
	// when nothing but the activity's own rows was written.
	var written *models.ActivityView
	// named are the resources the draft named, with the codes and names
	// it read: the view answered is read without reading them again.
	var named []models.ResourceView
	if id == 0 {
		in, err := next(s.db.WithContext(ctx), nil)
		if err != nil {
			return nil, err
		}
		if early, err = s.buildDraft(s.db.WithContext(ctx), a.Viewer(), in, 0); err != nil {
			return nil, err
		}
		// The view answered and invited from is built from the draft
		// (draftView): its venue is read here rather than under the
		// write lock. A booking from a source (an import, demo data)
		// invites nobody and reads its view after the commit.
		if early.row.VenueID != nil && opts.SourceUID == "" {
			if early.venueRow, err = readVenue(s.db.WithContext(ctx), *early.row.VenueID); err != nil {
				return nil, err
			}
		}
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		var cur *models.ActivityView
		var row *models.Activity
		d := early
		written = nil // a retried write starts afresh
		if id != 0 {
			var err error
			if cur, row, err = s.loadCurrent(tx, a, id, opts.IfVersion); err != nil {
				return err
			}
			in, err := next(tx, cur)
			if err != nil {
				var fe *planning.FieldError
				if errors.As(err, &fe) {
					return &models.ValidationError{Errors: []models.FieldError{{Field: fe.Field, Message: fe.Message}}}
				}
				return err
			}
			if d, err = s.buildDraft(tx, a.Viewer(), in, id); err != nil {
				return err
			}
		}
		if err := a.CanWriteActivity(d.row.LeadOrganizationID); err != nil {
			return err
		}
		agreement, err := s.planAgreement(tx, a, d, cur)
		if err != nil {
			return err
		}
		report, err := s.evaluate(tx, a, d)
		if err != nil {
			return err
		}
		res.Report = report
		if len(report.Conflicts) > 0 && opts.OverrideReason == "" {
			return &models.ConflictError{Conflicts: report.Conflicts, Warnings: report.Warnings}
		}
		res.Overridden = len(report.Conflicts) > 0
		if err := s.persist(tx, a, d, row, cur, action, opts, res.Overridden); err != nil {
			return err
		}
		if err := s.recordAgreement(tx, a, d, agreement); err != nil {
			return err
		}
		res.Activity.ID, named = d.row.ID, d.named
		if agreement == nil && opts.linked == nil {
			written = d.written
		}
		if opts.linked != nil {
			if err := opts.linked(tx, d.row.ID); err != nil {
				return err
			}
		}
		if res.Overridden {
			return s.audit(tx, a, "override", "activity", d.row.ID, nil, report.Conflicts, opts.OverrideReason)
		}
		return nil
	})
	if isExclusionViolation(err) {
		// Another writer (another process on PostgreSQL) booked the same
		// resource between our check and our insert; the database said
		// no. Report what is now in the way.
		report, cerr := s.recheck(ctx, a, id, next)
		if cerr != nil {
			return nil, cerr
		}
		return nil, &models.ConflictError{Conflicts: report.Conflicts, Warnings: report.Warnings}
	}
	if err != nil {
		return nil, err
	}
	if written != nil {
		res.Activity = *written
		return &res, nil
	}
	views, err := loadViewsNamed(s.db.WithContext(ctx), []int64{res.Activity.ID}, named)
	if err != nil {
		return nil, err
	}
	res.Activity = views[0]
	return &res, nil
}

// recheck re-runs the check of a write that lost a race, read-only.
func (s *Store) recheck(ctx context.Context, a models.Actor, id int64, next func(*gorm.DB, *models.ActivityView) (models.ActivityInput, error)) (models.CheckReport, error) {
	var report models.CheckReport
	// Read-only, so that on SQLite it begins deferred and takes no write
	// lock (write transactions begin immediate).
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur *models.ActivityView
		if id != 0 {
			views, err := loadViews(tx, []int64{id})
			if err != nil || len(views) == 0 {
				return models.ErrNotFound
			}
			cur = &views[0]
		}
		in, err := next(tx, cur)
		if err != nil {
			return err
		}
		d, err := s.buildDraft(tx, a.Viewer(), in, id)
		if err != nil {
			return err
		}
		report, err = s.evaluate(tx, a, d)
		if err == nil {
			err = errRollback
		}
		return err
	}, &sql.TxOptions{ReadOnly: true})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err == nil && len(report.Conflicts) == 0 {
		// The competing booking vanished again; report the race itself.
		report.Conflicts = []models.ConflictView{{Rule: "concurrent_booking", Severity: "hard"}}
	}
	return report, err
}

var errRollback = errors.New("rollback")

// isExclusionViolation reports PostgreSQL's exclusion_violation (23P01),
// raised by occupancy_no_double_booking.
func isExclusionViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23P01"
}

// significantChange says whether subscribed calendars must take an
// update: a change of time, place, status or title.
func significantChange(old, new *models.Activity) bool {
	return !old.StartAt.Equal(new.StartAt) || !old.EndAt.Equal(new.EndAt) || old.TimeZone != new.TimeZone ||
		old.AllDay != new.AllDay || old.RRule != new.RRule || !slices.EqualFunc(old.ExDates, new.ExDates, time.Time.Equal) ||
		!slices.EqualFunc(old.RDates, new.RDates, time.Time.Equal) || derefID(old.VenueID) != derefID(new.VenueID) ||
		old.ConferenceURL != new.ConferenceURL || old.Status != new.Status || old.Title != new.Title
}

// writeRelations replaces participants, visibility and areas (fresh: the
// activity is new and has none to delete).
func writeRelations(tx *gorm.DB, d *draft, fresh bool) error {
	id := d.row.ID
	for _, table := range []any{&models.Participant{}, &activityVisibility{}, &activityArea{}} {
		if fresh || d.cleared {
			break
		}
		if err := tx.Where("activity_id = ?", id).Delete(table).Error; err != nil {
			return fmt.Errorf("delete table: %w", err)
		}
	}
	for i := range d.participants {
		d.participants[i].ID = 0
		d.participants[i].ActivityID = id
	}
	if len(d.participants) > 0 {
		if err := tx.Create(&d.participants).Error; err != nil {
			return fmt.Errorf("insert participants: %w", err)
		}
	}
	if len(d.visibility) > 0 {
		vis := make([]activityVisibility, len(d.visibility))
		for i, o := range d.visibility {
			vis[i] = activityVisibility{ActivityID: id, OrganizationID: o}
		}
		if err := tx.Create(&vis).Error; err != nil {
			return fmt.Errorf("write relations: %w", err)
		}
	}
	var areas []activityArea
	seen := map[string]bool{}
	for _, area := range d.row.Areas {
		if !seen[area] {
			seen[area] = true
			areas = append(areas, activityArea{ActivityID: id, Area: area})
		}
	}
	if len(areas) > 0 {
		return tx.Create(&areas).Error
	}
	return nil
}

// ActivityIDBySourceUID finds a live activity by the source UID it was
// created with; 0 when there is none.
func (s *Store) ActivityIDBySourceUID(ctx context.Context, uid string) (int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Table("activities").Where("source_uid = ? AND deleted_at IS NULL", uid).Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// persist writes a checked draft: the row (version, SEQUENCE), its
// relations and occupancy, the audit entry and what the change means for
// the outbox. row and cur are the current state (nil for a new activity).
func (s *Store) persist(tx *gorm.DB, a models.Actor, d *draft, row *models.Activity, cur *models.ActivityView, action string, opts WriteOptions, overridden bool) error {
	e, err := s.persistRow(tx, a, d, row, cur, action, opts, overridden)
	if err != nil {
		return err
	}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	after := &models.ActivityView{ID: d.row.ID, Status: d.row.Status, Sequence: d.row.Sequence, DeletedAt: d.row.DeletedAt}
	invite := opts.SourceUID == ""
	known := writtenState{named: d.named}
	if row == nil && invite {
		// A new activity: its view and its stored occurrences are the
		// draft's, nothing need be read back for its notices (one from a
		// source invites nobody and reads nothing for them).
		if known.view, err = s.draftView(tx, d); err != nil {
			return err
		}
		known.occurrences, known.fresh = d.occurrences, true
	}
	rows, read, err := s.noticeRows(tx, cur, after, invite, known)
	if err != nil {
		return err
	}
	d.written = read
	if known.view != nil {
		d.written = known.view
	}
	return s.insertNotices(tx, rows)
}

// persistRow writes the row of a checked draft, its relations and
// occupancy, and returns its audit entry unwritten, so that a set write
// can insert the entries (and queue the notices) of all its members in
// one statement each.
func (s *Store) persistRow(tx *gorm.DB, a models.Actor, d *draft, row *models.Activity, cur *models.ActivityView, action string, opts WriteOptions, overridden bool) (models.AuditEntry, error) {
	now := s.now()
	if row == nil {
		d.row.Version, d.row.CreatedAt = 1, now
	} else {
		d.row.Version, d.row.Sequence, d.row.CreatedAt, d.row.SourceUID = row.Version+1, row.Sequence, row.CreatedAt, row.SourceUID
		if significantChange(row, &d.row) || action == "change_occurrence" {
			d.row.Sequence++
		}
	}
	d.row.UpdatedAt = now
	if opts.SourceUID != "" {
		uid := opts.SourceUID
		d.row.SourceUID = &uid
	}
	fresh := row == nil
	if fresh {
		if err := tx.Create(&d.row).Error; err != nil {
			return models.AuditEntry{}, fmt.Errorf("persist: %w", err)
		}
	} else if err := tx.Save(&d.row).Error; err != nil {
		return models.AuditEntry{}, err
	}
	if err := writeRelations(tx, d, fresh); err != nil {
		return models.AuditEntry{}, err
	}
	if err := writeOccupancy(tx, d, overridden, fresh); err != nil {
		return models.AuditEntry{}, err
	}
	// The audit keeps the writable form (references by code), which is
	// what a reader of the trail compares; the full view is read after
	// the commit, outside the write lock.
	var before any
	if cur != nil {
		before = cur.Input()
	}
	return s.auditEntry(a, action, "activity", d.row.ID, before, d.input, "")
}
