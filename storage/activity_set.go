package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// setWrite collects the conflict report of several activity writes made
// in one transaction, so that the set is refused (or overridden) as a
// whole.
type setWrite struct {
	s      *Store
	tx     *gorm.DB
	a      models.Actor
	opts   WriteOptions
	action string
	report models.CheckReport
	ids    []int64
	// pending holds what the members' writes add to the trail and the
	// outbox, inserted by finish in one statement each.
	pending setPending
}

// put checks one draft against what is stored (including the members of
// the set written before it) and writes it. A member with hard conflicts
// and no override reason is still written, holding nothing exclusively,
// so that the rest of the set is checked against it; finish then refuses
// the set and the transaction rolls everything back.
func (w *setWrite) put(d *draft, row *models.Activity, cur *models.ActivityView) error {
	if err := w.a.CanWriteActivity(d.row.LeadOrganizationID); err != nil {
		return err
	}
	report, err := w.s.evaluate(w.tx, w.a, d)
	if err != nil {
		return err
	}
	w.report.Conflicts = append(w.report.Conflicts, report.Conflicts...)
	w.report.Warnings = append(w.report.Warnings, report.Warnings...)
	overridden := len(report.Conflicts) > 0
	e, err := w.s.persistRow(w.tx, w.a, d, row, cur, w.action, w.opts, overridden)
	if err != nil {
		return err
	}
	w.ids = append(w.ids, d.row.ID)
	w.pending.add(e, cur, &models.ActivityView{ID: d.row.ID, Status: d.row.Status, Sequence: d.row.Sequence, DeletedAt: d.row.DeletedAt})
	if overridden && w.opts.OverrideReason != "" {
		e, err := w.s.auditEntry(w.a, "override", "activity", d.row.ID, nil, report.Conflicts, w.opts.OverrideReason)
		if err != nil {
			return err
		}
		w.pending.audit = append(w.pending.audit, e)
	}
	return nil
}

// finish refuses the set when it has hard conflicts and no override
// reason.
func (w *setWrite) finish() error {
	if len(w.report.Conflicts) > 0 && w.opts.OverrideReason == "" {
		return &models.ConflictError{Conflicts: w.report.Conflicts, Warnings: w.report.Warnings}
	}
	return w.s.flushSet(w.tx, &w.pending, w.opts.SourceUID == "")
}

// result loads the written set after the commit.
func (w *setWrite) result(ctx context.Context) (*models.SetResult, error) {
	views, err := loadViews(w.s.db.WithContext(ctx), w.ids)
	if err != nil {
		return nil, fmt.Errorf("load the written activities: %w", err)
	}
	if len(views) == 0 {
		return nil, models.ErrNotFound
	}
	return &models.SetResult{Activity: views[0], Children: views[1:], Report: w.report, Overridden: len(w.report.Conflicts) > 0}, nil
}

// setError maps a lost race on PostgreSQL's exclusion constraint (another
// process booked a resource between our check and our insert) to a
// conflict, as single writes do.
func setError(err error) error {
	if isExclusionViolation(err) {
		return &models.ConflictError{Conflicts: []models.ConflictView{{Rule: "concurrent_booking", Severity: "hard"}}, Warnings: []models.ConflictView{}}
	}
	return err
}

// InstantiateTemplate creates an exercise from in and its children from
// the template's entries in one transaction, each checked for conflicts
// (the children against the exercise, each other and everything stored),
// with one conflict report: a hard conflict anywhere refuses the whole set
// unless opts.OverrideReason is given. Fields in leaves empty take the
// template's kind, series and lead organisation.
func (s *Store) InstantiateTemplate(ctx context.Context, a models.Actor, template models.Ref, in models.ActivityInput, opts WriteOptions) (*models.SetResult, error) {
	t, err := s.GetExerciseTemplate(ctx, template)
	if err != nil {
		return nil, err
	}
	if in.Kind == "" {
		in.Kind = t.Kind
	}
	if in.Series == "" {
		in.Series = t.Series
	}
	if in.LeadOrganization == "" {
		in.LeadOrganization = models.Ref(t.LeadOrganization)
	}
	if in.Status == "" {
		in.Status = string(models.StatusConfirmed)
	}
	if in.RRule != "" || len(in.RDates) > 0 {
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "rrule", Message: "an exercise made from a template happens once"}}}
	}
	w := &setWrite{s: s, a: a, opts: opts, action: "create"}
	err = s.write(ctx, func(tx *gorm.DB) error {
		w.tx, w.report, w.ids, w.pending = tx, models.CheckReport{Conflicts: []models.ConflictView{}, Warnings: []models.ConflictView{}}, nil, setPending{}
		d, err := s.buildDraft(tx, a.Viewer(), in, 0)
		if err != nil {
			return err
		}
		if err := w.put(d, nil, nil); err != nil {
			return err
		}
		// The new exercise has no PACE partner yet: its members are
		// itself and the children written so far.
		family := map[int64]bool{d.row.ID: true}
		children, err := t.ChildInputs(in, d.row.ID)
		if err != nil {
			return err
		}
		for i, child := range children {
			cd, err := s.buildDraft(tx, a.Viewer(), child, 0)
			if err != nil {
				return prefixFields(err, fmt.Sprintf("entries[%d].", i))
			}
			cd.coordinated = family
			if err := w.put(cd, nil, nil); err != nil {
				return err
			}
			family[cd.row.ID] = true
		}
		return w.finish()
	})
	if err != nil {
		return nil, setError(err)
	}
	return w.result(ctx)
}

// prefixFields names the template entry a child's validation error came
// from.
func prefixFields(err error, prefix string) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &models.ValidationError{}
	for _, f := range ve.Errors {
		out.Errors = append(out.Errors, f.Prefixed(prefix))
	}
	return out
}

// MoveActivity moves an activity so that it starts at start, and every
// child of it (the phases of an exercise) by the same offset, in one
// transaction with one conflict report: a hard conflict of any member
// refuses the whole move unless opts.OverrideReason is given. The offset
// is taken on the calendar of the activity's zone (whole days plus clock
// time) and applied to each child in its own zone, so a 09:00 planning
// conference stays at 09:00 across a change of summer time. Moved and
// cancelled instances, exception and extra dates move along. Every child
// must be one the actor may change; a child can still be edited alone.
func (s *Store) MoveActivity(ctx context.Context, a models.Actor, id int64, start time.Time, opts WriteOptions) (*models.SetResult, error) {
	if start.IsZero() {
		return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "start", Message: "is required (RFC 3339)"}}}
	}
	w := &setWrite{s: s, a: a, opts: opts, action: "move"}
	err := s.write(ctx, func(tx *gorm.DB) error {
		w.tx, w.report, w.ids, w.pending = tx, models.CheckReport{Conflicts: []models.ConflictView{}, Warnings: []models.ConflictView{}}, nil, setPending{}
		cur, row, err := s.loadCurrent(tx, a, id, opts.IfVersion)
		if err != nil {
			return err
		}
		shift := shiftBetween(cur.Start, start, cur.TimeZone)
		var childIDs []int64
		if err := tx.Table("activities").Where("parent_id = ? AND deleted_at IS NULL", id).Order("id").Pluck("id", &childIDs).Error; err != nil {
			return fmt.Errorf("load the children of activity %d: %w", id, err)
		}
		type member struct {
			cur *models.ActivityView
			row *models.Activity
		}
		members := []member{{cur, row}}
		views, err := loadViews(tx, childIDs)
		if err != nil {
			return fmt.Errorf("load the children of activity %d: %w", id, err)
		}
		crows, err := loadRowsForUpdate(tx, childIDs)
		if err != nil {
			return fmt.Errorf("load the children of activity %d: %w", id, err)
		}
		for i := range views {
			v := &views[i]
			if !a.Viewer().CanSee(v.Restricted, v.Allowed) {
				// A child the actor may not see: moving it would change
				// what they cannot know about, and naming it would reveal it.
				return &models.ForbiddenError{Reason: "the activity has children you may not change; an administrator can move them together"}
			}
			crow, ok := crows[v.ID]
			if !ok {
				return models.ErrNotFound
			}
			if err := a.CanWriteActivity(crow.LeadOrganizationID); err != nil {
				return &models.ForbiddenError{Reason: fmt.Sprintf("child activity %d is led by another organisation; an administrator can move them together", v.ID)}
			}
			members = append(members, member{v, crow})
		}
		// One exercise: its members (and PACE partners) are the same for
		// every one of them.
		family, err := coordinatedWith(tx, *row)
		if err != nil {
			return err
		}
		// The members are checked at their new places against everything
		// but their old places.
		// Every member is validated at its new place first; then the
		// set's old relations, occurrences and places are deleted in one
		// statement per table, and each member is checked and written.
		drafts := make([]*draft, len(members))
		moved := make([][]planning.Override, len(members))
		for i, m := range members {
			in, ovs, err := shiftInput(tx, m.cur, shift)
			if err != nil {
				return err
			}
			d, err := s.buildDraft(tx, a.Viewer(), in, m.cur.ID)
			if err != nil {
				if m.cur.ID != id {
					return prefixFields(err, fmt.Sprintf("children[%d].", m.cur.ID))
				}
				return err
			}
			if family != nil {
				d.coordinated = family
			}
			d.cleared = true
			drafts[i], moved[i] = d, ovs
		}
		ids := append([]int64{id}, childIDs...)
		if err := clearSet(tx, ids); err != nil {
			return err
		}
		for i, m := range members {
			if err := w.put(drafts[i], m.row, m.cur); err != nil {
				return err
			}
			if len(moved[i]) > 0 {
				if err := writeOverrides(tx, m.cur.ID, moved[i], s.now()); err != nil {
					return err
				}
			}
		}
		return w.finish()
	})
	if err != nil {
		return nil, setError(err)
	}
	return w.result(ctx)
}

// shift is a move on the calendar: whole days, then clock time.
type shift struct {
	days  int
	clock time.Duration
}

// apply moves t by the shift on the calendar of loc.
func (sh shift) apply(t time.Time, loc *time.Location) time.Time {
	return t.In(loc).AddDate(0, 0, sh.days).Add(sh.clock)
}

// shiftBetween is the move from one start to another in zone tz: the
// difference of their dates in that zone in whole days, and the
// difference of their wall-clock times.
func shiftBetween(from, to time.Time, tz string) shift {
	loc := zoneOrUTC(tz)
	f, t := from.In(loc), to.In(loc)
	fd := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.UTC)
	td := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	days := int(td.Sub(fd).Hours() / 24)
	moved := f.AddDate(0, 0, days)
	return shift{days: days, clock: to.Sub(moved)}
}

func zoneOrUTC(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	if l, err := time.LoadLocation(tz); err == nil {
		return l
	}
	return time.UTC
}

// shiftInput returns the input of a moved activity and its moved
// instances.
func shiftInput(tx *gorm.DB, cur *models.ActivityView, sh shift) (models.ActivityInput, []planning.Override, error) {
	loc := zoneOrUTC(cur.TimeZone)
	in := cur.Input()
	in.Start, in.End = sh.apply(in.Start, loc), sh.apply(in.End, loc)
	in.ExDates = shiftTimes(in.ExDates, sh, loc)
	in.RDates = shiftTimes(in.RDates, sh, loc)
	ovs, err := loadOverrides(tx, cur.ID)
	if err != nil {
		return in, nil, fmt.Errorf("load the moved instances of activity %d: %w", cur.ID, err)
	}
	for i := range ovs {
		ovs[i].RecurrenceID = sh.apply(ovs[i].RecurrenceID, loc).UTC()
		ovs[i].Start = sh.apply(ovs[i].Start, loc).UTC()
		ovs[i].End = sh.apply(ovs[i].End, loc).UTC()
	}
	in.Overrides = &ovs
	return in, ovs, nil
}

func shiftTimes(ts []time.Time, sh shift, loc *time.Location) []time.Time {
	if ts == nil {
		return nil
	}
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = sh.apply(t, loc)
	}
	return out
}
