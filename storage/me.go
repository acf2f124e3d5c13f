package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// GetMe describes the actor.
func (s *Store) GetMe(ctx context.Context, a models.Actor) (*models.Me, error) {
	db := s.db.WithContext(ctx)
	codes, err := orgCodes(db)
	if err != nil {
		return nil, err
	}
	me := &models.Me{Role: a.Role, Organization: codes[a.OrganizationID], Language: "en", Grants: []models.Grant{}}
	if a.PersonID == 0 {
		return me, nil
	}
	var p models.Person
	if err := db.First(&p, a.PersonID).Error; err != nil {
		return nil, fmt.Errorf("load person %d: %w", a.PersonID, err)
	}
	if err := fillPeople(db, []*models.Person{&p}); err != nil {
		return nil, err
	}
	me.Person = &p
	if p.Language != "" {
		me.Language = p.Language
	}
	if err := db.Where("person_id = ?", p.ID).Order("id").Find(&me.Grants).Error; err != nil {
		return nil, fmt.Errorf("load the grants of person %d: %w", p.ID, err)
	}
	return me, fillGrants(db, ptrs(me.Grants))
}

// UpdateMe changes the signed-in person's own time zone, language and
// reminder preferences; nobody else's, and nothing else.
func (s *Store) UpdateMe(ctx context.Context, a models.Actor, in models.MeInput) (*models.Me, error) {
	if a.PersonID == 0 {
		return nil, &models.ForbiddenError{Reason: "only a signed-in person has settings of their own; this is a service token"}
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		v := &models.ValidationError{}
		fields := map[string]any{}
		if in.TimeZone != nil {
			models.CheckZone(v, "timezone", *in.TimeZone, true)
			fields["timezone"] = *in.TimeZone
		}
		if in.Language != nil {
			models.CheckEnum(v, "language", *in.Language, models.Languages...)
			fields["language"] = *in.Language
		}
		if in.ReminderPreferences != nil {
			for i, o := range in.ReminderPreferences.Offsets {
				if d, err := isoduration.Parse(o); err != nil || d <= 0 || d > 366*24*time.Hour {
					v.Add(fmt.Sprintf("reminder_preferences.offsets[%d]", i), "want an ISO 8601 duration between PT1M and P366D, such as P1D")
				}
			}
			fields["reminder_preferences"] = *in.ReminderPreferences
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		if len(fields) == 0 {
			return nil
		}
		var before models.Person
		if err := tx.First(&before, a.PersonID).Error; err != nil {
			return fmt.Errorf("load person %d: %w", a.PersonID, err)
		}
		if prefs, ok := fields["reminder_preferences"]; ok {
			p := before
			p.ReminderPreferences = prefs.(models.ReminderPreferences)
			if err := tx.Model(&models.Person{}).Where("id = ?", a.PersonID).Select("reminder_preferences").Updates(&p).Error; err != nil {
				return fmt.Errorf("update the reminder preferences of person %d: %w", a.PersonID, err)
			}
			delete(fields, "reminder_preferences")
		}
		fields["updated_at"] = s.now()
		fields["version"] = gorm.Expr("version + 1")
		if err := tx.Model(&models.Person{}).Where("id = ?", a.PersonID).Updates(fields).Error; err != nil {
			return fmt.Errorf("update person %d: %w", a.PersonID, err)
		}
		return s.audit(tx, a, "update_me", "person", a.PersonID, nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetMe(ctx, a)
}
