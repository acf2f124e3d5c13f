package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

const maxAcceptNote = 2000

// AcceptConflict records that the clash k may stand, with a note, in the
// same transaction as its audit entry. The actor must see the activities
// of both sides and be allowed to change at least one of them: a planner
// settles clashes of their own organisation's plans, never of the other's
// alone. Accepting a clash twice is a DuplicateError.
func (s *Store) AcceptConflict(ctx context.Context, a models.Actor, k models.ConflictKey, note string) (*models.AcceptedConflict, error) {
	note = strings.TrimSpace(note)
	v := &models.ValidationError{}
	if note == "" {
		v.Add("note", "say why the clash may stand")
	} else if utf8.RuneCountInString(note) > maxAcceptNote {
		v.Add("note", "at most %d characters", maxAcceptNote)
	}
	models.CheckEnum(v, "rule", k.Rule, models.ConflictRules()...)
	if k.ActivityID <= 0 || k.Occurrence.IsZero() {
		v.Add("activity_id", "name the clash's activity and the start of the overlap")
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	row := models.AcceptedConflict{ActivityID: k.ActivityID, OtherID: k.OtherID, Rule: k.Rule, OccurrenceS: k.Occurrence.Unix(), Note: note, AcceptedBy: a.Name, AcceptedAt: s.now().UTC()}
	if a.PersonID != 0 {
		pid := a.PersonID
		row.PersonID = &pid
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		sides := []int64{k.ActivityID}
		if k.OtherID > 0 {
			sides = append(sides, k.OtherID)
		}
		var writable error = &models.ForbiddenError{Reason: "a planner may only accept clashes of activities led by their own organisation"}
		for _, id := range sides {
			var act models.Activity
			err := tx.Scopes(visibleActivities(a.Viewer())).Where("activities.id = ? AND activities.deleted_at IS NULL", id).First(&act).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.ErrNotFound
			}
			if err != nil {
				return fmt.Errorf("load activity %d: %w", id, err)
			}
			if a.CanWriteActivity(act.LeadOrganizationID) == nil {
				writable = nil
			}
		}
		if writable != nil {
			return writable
		}
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return &models.DuplicateError{Field: "conflict", Value: "already accepted"}
			}
			return fmt.Errorf("record accepted clash: %w", err)
		}
		return s.audit(tx, a, "accept_conflict", "activity", k.ActivityID, nil, row, note)
	})
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// AcceptedConflicts returns which of the clashes keys were accepted (the
// agenda's marks), in one query per chunk of activities.
func (s *Store) AcceptedConflicts(ctx context.Context, keys []models.ConflictKey) (map[models.ConflictKey]models.AcceptedConflict, error) {
	return acceptedAmong(s.db.WithContext(ctx), keys)
}

// unaccepted is found without the clashes accepted with a note
// (ConflictFilter.HideAccepted), in its order.
func unaccepted(db *gorm.DB, found []placedConflict) ([]placedConflict, error) {
	keys := make([]models.ConflictKey, len(found))
	for i, p := range found {
		keys[i] = p.item.Key()
	}
	marks, err := acceptedAmong(db, keys)
	if err != nil || len(marks) == 0 {
		return found, err
	}
	out := found[:0]
	for i, p := range found {
		if _, ok := marks[keys[i]]; !ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// acceptedAmong is AcceptedConflicts on db.
func acceptedAmong(db *gorm.DB, keys []models.ConflictKey) (map[models.ConflictKey]models.AcceptedConflict, error) {
	out := map[models.ConflictKey]models.AcceptedConflict{}
	want := map[models.ConflictKey]bool{}
	var ids []int64
	for _, k := range keys {
		k.Occurrence = k.Occurrence.UTC().Truncate(time.Second)
		if !want[k] {
			want[k] = true
			ids = append(ids, k.ActivityID)
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []models.AcceptedConflict
		if err := db.Where("activity_id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load accepted clashes: %w", err)
		}
		for _, r := range rows {
			if want[r.Key()] {
				out[r.Key()] = r
			}
		}
	}
	return out, nil
}
