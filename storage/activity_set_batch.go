package storage

import (
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// setPending is what the members of a set write add to the audit trail
// and the outbox, kept until every member is written: the pure-Go SQLite
// driver parses every statement each time it runs, so one multi-row
// insert of the set's audit entries and notices, and one read of its
// members' views, cost far less than one of each per member.
type setPending struct {
	audit   []models.AuditEntry
	changes []setChange
}

// setChange is one member's change as noticeChange sees it: its view
// before (nil for a new activity) and the written row's identity.
type setChange struct {
	before, after *models.ActivityView
}

// add records a member's audit entry and change, in the order written.
func (p *setPending) add(e models.AuditEntry, before, after *models.ActivityView) {
	p.audit = append(p.audit, e)
	p.changes = append(p.changes, setChange{before: before, after: after})
}

// flushSet inserts the set's audit entries and queues what its changes
// mean for the outbox, as persist does for one activity: the members'
// views are read once, after every member is written (no member's write
// changes another's view).
func (s *Store) flushSet(tx *gorm.DB, p *setPending, invite bool) error {
	if len(p.audit) > 0 {
		if err := tx.Create(&p.audit).Error; err != nil {
			return fmt.Errorf("audit the set: %w", err)
		}
	}
	ids := make([]int64, 0, len(p.changes))
	for _, c := range p.changes {
		ids = append(ids, c.after.ID)
	}
	views, err := loadViews(tx, ids)
	if err != nil {
		return fmt.Errorf("load the written set for its notices: %w", err)
	}
	byID := make(map[int64]*models.ActivityView, len(views))
	for i := range views {
		byID[views[i].ID] = &views[i]
	}
	var rows []models.Reminder
	for _, c := range p.changes {
		// A member not among the views (none today) is read alone.
		r, _, err := s.noticeRows(tx, c.before, c.after, invite, writtenState{view: byID[c.after.ID]})
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	return s.insertNotices(tx, rows)
}

// loadRowsForUpdate reads the activity rows ids in one query, by id; on
// PostgreSQL they stay locked until the transaction ends, as
// loadForUpdate locks one.
func loadRowsForUpdate(tx *gorm.DB, ids []int64) (map[int64]*models.Activity, error) {
	out := make(map[int64]*models.Activity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []models.Activity
	if err := q.Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load rows for update: %w", err)
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// clearSet deletes the places, occurrences, participants, visibility and
// areas of the activities ids (a moved set, whose members are then
// written afresh), one statement per table: the members are checked at
// their new places against everything but their old ones.
func clearSet(tx *gorm.DB, ids []int64) error {
	for _, table := range []any{&occupancyRow{}, &occurrenceRow{}, &models.Participant{}, &activityVisibility{}, &activityArea{}} {
		if err := tx.Where("activity_id IN ?", ids).Delete(table).Error; err != nil {
			return fmt.Errorf("clear the moved activities: %w", err)
		}
	}
	return clearSummaries(tx, ids)
}
