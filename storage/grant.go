package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// GrantRole gives a person a role; administrators only, audited. Granting
// what the person already has changes nothing.
func (s *Store) GrantRole(ctx context.Context, a models.Actor, in models.GrantInput) (*models.Grant, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var g models.Grant
	err := s.write(ctx, func(tx *gorm.DB) error {
		personID, orgID, err := validateGrant(tx, in)
		if err != nil {
			return err
		}
		existing, err := findGrant(tx, personID, in.Role, orgID)
		if err != nil {
			return err
		}
		if existing != nil {
			g = *existing
			return fillGrants(tx, []*models.Grant{&g})
		}
		g = models.Grant{PersonID: personID, Role: in.Role, OrganizationID: nullID(orgID), CreatedAt: s.now()}
		if err := tx.Create(&g).Error; err != nil {
			return fmt.Errorf("create grant: %w", err)
		}
		if err := fillGrants(tx, []*models.Grant{&g}); err != nil {
			return err
		}
		return s.audit(tx, a, "grant", "person", personID, nil, g, "")
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// RevokeGrant takes a role from a person; administrators only, audited.
// It answers ErrNotFound when the person does not hold it.
func (s *Store) RevokeGrant(ctx context.Context, a models.Actor, in models.GrantInput) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		personID, orgID, err := validateGrant(tx, in)
		if err != nil {
			return err
		}
		existing, err := findGrant(tx, personID, in.Role, orgID)
		if err != nil {
			return err
		}
		if existing == nil {
			return models.ErrNotFound
		}
		if err := tx.Delete(existing).Error; err != nil {
			return fmt.Errorf("delete grant %d: %w", existing.ID, err)
		}
		if err := fillGrants(tx, []*models.Grant{existing}); err != nil {
			return err
		}
		return s.audit(tx, a, "revoke_grant", "person", personID, *existing, nil, "")
	})
}

// ListGrants lists grants a page at a time, of one person when person
// is set; administrators only.
func (s *Store) ListGrants(ctx context.Context, a models.Actor, person models.Ref, opts models.ListOptions) (models.Page[models.Grant], error) {
	if err := a.RequireAdmin(); err != nil {
		return models.Page[models.Grant]{}, err
	}
	db := s.db.WithContext(ctx)
	q := db.Model(&models.Grant{})
	if person != "" {
		id, err := resolve(db, "people", "email", person)
		if err != nil {
			return models.Page[models.Grant]{}, err
		}
		q = q.Where("person_id = ?", id)
	}
	page, err := paginate(q, "id", opts, func(g models.Grant) int64 { return g.ID })
	if err != nil {
		return page, fmt.Errorf("list grants: %w", err)
	}
	return page, fillGrants(db, ptrs(page.Items))
}

// findGrant returns the grant of role (in orgID, 0 for none) a person
// holds, or nil.
func findGrant(tx *gorm.DB, personID int64, role models.Role, orgID int64) (*models.Grant, error) {
	q := tx.Where("person_id = ? AND role = ?", personID, role)
	if orgID == 0 {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("organization_id = ?", orgID)
	}
	var found []models.Grant
	if err := q.Limit(1).Find(&found).Error; err != nil {
		return nil, fmt.Errorf("find grants of person %d: %w", personID, err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return &found[0], nil
}

func validateGrant(tx *gorm.DB, in models.GrantInput) (personID, orgID int64, err error) {
	v := &models.ValidationError{}
	if in.Person == "" {
		v.Add("person", "is required (an id or an e-mail address)")
	} else {
		personID = resolveField(tx, v, "person", "people", "email", in.Person)
	}
	if !in.Role.Valid() {
		v.Add("role", "want admin, planner or viewer")
	}
	orgID = resolveField(tx, v, "organization", "organizations", "code", in.Organization)
	if in.Role == models.RolePlanner && in.Organization == "" {
		v.Add("organization", "a planner is bound to an organisation")
	}
	if in.Role == models.RoleAdmin && in.Organization != "" {
		v.Add("organization", "an administrator is not bound to an organisation")
	}
	return personID, orgID, v.OrNil()
}

func fillGrants(db *gorm.DB, gs []*models.Grant) error {
	if len(gs) == 0 {
		return nil
	}
	codes, err := orgCodes(db)
	if err != nil {
		return err
	}
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.PersonID
	}
	var people []models.Person
	if err := db.Select("id", "email").Where("id IN ?", ids).Find(&people).Error; err != nil {
		return fmt.Errorf("load the people of grants: %w", err)
	}
	emails := map[int64]string{}
	for _, p := range people {
		emails[p.ID] = p.Email
	}
	for _, g := range gs {
		g.OrganizationCode = codes[derefID(g.OrganizationID)]
		g.Person = emails[g.PersonID]
	}
	return nil
}

// ActorForPerson is who a signed-in person acts as: their strongest grant
// (an administrator over a planner over a viewer), or, with no grant, a
// viewer of their own organisation, so that staff who only subscribe can
// sign in without an administrator's step.
func (s *Store) ActorForPerson(ctx context.Context, personID int64) (models.Actor, error) {
	db := s.db.WithContext(ctx)
	var p models.Person
	if err := db.First(&p, personID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Actor{}, models.ErrUnauthenticated
		}
		return models.Actor{}, fmt.Errorf("load person %d: %w", personID, err)
	}
	var gs []models.Grant
	if err := db.Where("person_id = ?", personID).Order("id").Find(&gs).Error; err != nil {
		return models.Actor{}, fmt.Errorf("load the grants of person %d: %w", personID, err)
	}
	a := models.Actor{PersonID: p.ID, Name: "person:" + p.Email, Role: models.RoleViewer, OrganizationID: derefID(p.OrganizationID)}
	best := 0
	for _, g := range gs {
		if g.Role.Rank() > best {
			best = g.Role.Rank()
			a.Role, a.OrganizationID = g.Role, derefID(g.OrganizationID)
		}
	}
	return a, nil
}
