package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// ConflictKey names a clash independently of the side it is seen from:
// ActivityID is the lower of two activity ids; OtherID the other activity,
// minus a blackout's id, minus a billion minus an external calendar's id,
// or 0 for an activity the viewer may not see; Occurrence the start of
// the overlap.
type ConflictKey struct {
	ActivityID int64
	OtherID    int64
	Rule       string
	Occurrence time.Time
}

// Key is the clash's key, the same from either side.
func (l ListedConflict) Key() ConflictKey {
	a, b := l.Activity.ID, l.Other.ActivityID
	switch {
	case l.Other.BlackoutID != 0:
		b = -l.Other.BlackoutID
	case l.Other.ExternalCalendarID != 0:
		b = -1_000_000_000 - l.Other.ExternalCalendarID
	case l.Other.Restricted:
		b = 0
	}
	if b > 0 && b < a {
		a, b = b, a
	}
	return ConflictKey{ActivityID: a, OtherID: b, Rule: l.Rule, Occurrence: l.Overlap.Start.UTC().Truncate(time.Second)}
}

// AcceptedConflict records that a planner let a clash stand, and why.
type AcceptedConflict struct {
	ID          int64     `json:"id" gorm:"primaryKey"`
	ActivityID  int64     `json:"activity_id"`
	OtherID     int64     `json:"other_id"`
	Rule        string    `json:"rule"`
	OccurrenceS int64     `json:"occurrence_s" gorm:"column:occurrence_s"`
	Note        string    `json:"note"`
	PersonID    *int64    `json:"person_id,omitempty"`
	AcceptedBy  string    `json:"accepted_by"`
	AcceptedAt  time.Time `json:"accepted_at"`
}

// TableName maps AcceptedConflict to accepted_conflicts.
func (AcceptedConflict) TableName() string { return "accepted_conflicts" }

func (r AcceptedConflict) key() ConflictKey {
	return ConflictKey{ActivityID: r.ActivityID, OtherID: r.OtherID, Rule: r.Rule, Occurrence: time.Unix(r.OccurrenceS, 0).UTC()}
}

// conflictRules are the rules a clash on the agenda can be under.
var conflictRules = []string{planning.RulePersonDoubleBooked, planning.RuleBodyDoubleBooked, planning.RuleVenueDoubleBooked, planning.RuleOptionalBusy,
	planning.RulePlanningOverlap, planning.RuleBlackout, planning.RuleBuffer, planning.RuleExternalBusy,
	RuleRequiredDeclined, RuleRequiredNoReply}

// ConflictRules lists the rules of the deconfliction agenda (a fresh
// copy: filters offer them).
func ConflictRules() []string { return append([]string(nil), conflictRules...) }

const maxAcceptNote = 2000

// AcceptConflict records that the clash k may stand, with a note, in the
// same transaction as its audit entry. The actor must see the activities
// of both sides and be allowed to change at least one of them: a planner
// settles clashes of their own organisation's plans, never of the other's
// alone. Accepting a clash twice is a DuplicateError.
func (s *Store) AcceptConflict(ctx context.Context, a Actor, k ConflictKey, note string) (*AcceptedConflict, error) {
	note = strings.TrimSpace(note)
	v := &ValidationError{}
	if note == "" {
		v.add("note", "say why the clash may stand")
	} else if utf8.RuneCountInString(note) > maxAcceptNote {
		v.add("note", "at most %d characters", maxAcceptNote)
	}
	checkEnum(v, "rule", k.Rule, conflictRules...)
	if k.ActivityID <= 0 || k.Occurrence.IsZero() {
		v.add("activity_id", "name the clash's activity and the start of the overlap")
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	row := AcceptedConflict{ActivityID: k.ActivityID, OtherID: k.OtherID, Rule: k.Rule, OccurrenceS: k.Occurrence.Unix(), Note: note, AcceptedBy: a.Name, AcceptedAt: s.now().UTC()}
	if a.PersonID != 0 {
		pid := a.PersonID
		row.PersonID = &pid
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		sides := []int64{k.ActivityID}
		if k.OtherID > 0 {
			sides = append(sides, k.OtherID)
		}
		var writable error = &ForbiddenError{Reason: "a planner may only accept clashes of activities led by their own organisation"}
		for _, id := range sides {
			var act Activity
			err := tx.Scopes(visibleActivities(a.Viewer())).Where("activities.id = ? AND activities.deleted_at IS NULL", id).First(&act).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			if err != nil {
				return fmt.Errorf("load activity %d: %w", id, err)
			}
			if a.canWriteActivity(act.LeadOrganizationID) == nil {
				writable = nil
			}
		}
		if writable != nil {
			return writable
		}
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return &DuplicateError{Field: "conflict", Value: "already accepted"}
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
func (s *Store) AcceptedConflicts(ctx context.Context, keys []ConflictKey) (map[ConflictKey]AcceptedConflict, error) {
	out := map[ConflictKey]AcceptedConflict{}
	want := map[ConflictKey]bool{}
	var ids []int64
	for _, k := range keys {
		k.Occurrence = k.Occurrence.UTC().Truncate(time.Second)
		if !want[k] {
			want[k] = true
			ids = append(ids, k.ActivityID)
		}
	}
	db := s.db.WithContext(ctx)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []AcceptedConflict
		if err := db.Where("activity_id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load accepted clashes: %w", err)
		}
		for _, r := range rows {
			if want[r.key()] {
				out[r.key()] = r
			}
		}
	}
	return out, nil
}
