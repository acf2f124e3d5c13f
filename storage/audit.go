package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// audit records a write inside the transaction that makes it, so that no
// change exists without its trail.
func (s *Store) audit(tx *gorm.DB, a models.Actor, action, entity string, id int64, before, after any, reason string) error {
	e, err := s.auditEntry(a, action, entity, id, before, after, reason)
	if err != nil {
		return err
	}
	return tx.Create(&e).Error
}

// auditEntry builds the trail entry of a write without inserting it, for
// writes that insert the entries of several rows at once.
func (s *Store) auditEntry(a models.Actor, action, entity string, id int64, before, after any, reason string) (models.AuditEntry, error) {
	e := models.AuditEntry{At: s.now(), Actor: a.Name, Action: action, Entity: entity, EntityID: id, Reason: reason}
	if a.TokenID != 0 {
		tid := a.TokenID
		e.TokenID = &tid
	}
	if a.PersonID != 0 {
		pid := a.PersonID
		e.PersonID = &pid
	}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return models.AuditEntry{}, err
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return models.AuditEntry{}, err
		}
	}
	return e, nil
}

// auditEntities are the kinds of entity the trail records, so that a
// filter naming another (a misspelling) is refused instead of answering
// an empty trail. A new audited entity adds its name here.
var auditEntities = []string{"activity", "blackout", "body", "briefing_request", "exercise_template", "external_calendar", "feed", "import_job", "organization", "pace_pair", "person", "proposal", "reminder", "token", "venue"}

// ListAudit returns audit entries, newest first unless f.Oldest
// (Descending is set from it); administrators only. Newest first is what
// someone asking "who changed this?" wants to read.
func (s *Store) ListAudit(ctx context.Context, a models.Actor, f models.AuditFilter) (models.Page[models.AuditEntry], error) {
	if err := a.RequireAdmin(); err != nil {
		return models.Page[models.AuditEntry]{}, err
	}
	if f.Entity != "" {
		v := &models.ValidationError{}
		models.CheckEnum(v, "entity", f.Entity, auditEntities...)
		if err := v.OrNil(); err != nil {
			return models.Page[models.AuditEntry]{}, err
		}
	}
	q := s.db.WithContext(ctx).Model(&models.AuditEntry{})
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != 0 {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	opts := f.ListOptions
	opts.Descending = !f.Oldest
	return paginate(q, "id", opts, func(e models.AuditEntry) int64 { return e.ID })
}

// ActivityHistory is the audit trail of one activity, newest first, for
// whoever may see the activity: a planner asks "who moved this, and
// why?" without being an administrator. Restricted activities answer
// ErrNotFound to those who may not see them, as everywhere.
func (s *Store) ActivityHistory(ctx context.Context, a models.Actor, id int64, limit int) ([]models.AuditEntry, error) {
	if _, err := s.GetActivity(ctx, a, id); err != nil {
		return nil, err
	}
	var out []models.AuditEntry
	if err := s.db.WithContext(ctx).Where("entity = ? AND entity_id = ?", "activity", id).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load the history of activity %d: %w", id, err)
	}
	return out, nil
}
