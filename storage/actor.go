package storage

import (
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// canWritePerson says whether a may change or delete person p. A person
// is an identity: whoever controls their address signs in as them, with
// their grants. So a planner may change only people of their own
// organisation whose grants reach no further (no administrator, no grant
// bound to another organisation); everyone else is an administrator's.
func canWritePerson(tx *gorm.DB, a models.Actor, p *models.Person) error {
	if a.Role == models.RoleAdmin {
		return nil
	}
	if err := a.CanWriteReference(derefID(p.OrganizationID)); err != nil {
		return err
	}
	if p.OrganizationID == nil {
		return &models.ForbiddenError{Reason: "only an administrator may change a person of no organisation"}
	}
	var beyond int64
	if err := tx.Model(&models.Grant{}).Where("person_id = ? AND (role = ? OR (organization_id IS NOT NULL AND organization_id <> ?))", p.ID, models.RoleAdmin, a.OrganizationID).Count(&beyond).Error; err != nil {
		return fmt.Errorf("load the grants of person %d: %w", p.ID, err)
	}
	if beyond > 0 {
		return &models.ForbiddenError{Reason: "this person holds grants beyond your organisation; only an administrator may change them"}
	}
	return nil
}
