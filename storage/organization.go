package storage

import (
	"context"
	"errors"
	"fmt"
	"gorm.io/gorm"
	"time"

	"github.com/jointcal/jointcal/models"
)

// organizationKind is how organisations differ in the reference CRUD:
// administrators only, unique by code.
func organizationKind() refKind[models.Organization, models.OrganizationInput] {
	return refKind[models.Organization, models.OrganizationInput]{
		entity:      "organization",
		shown:       true,
		participant: "organization",
		row:         func(o *models.Organization) refRow { return refRow{&o.ID, &o.Version, &o.CreatedAt, &o.UpdatedAt} },
		may:         models.Actor.RequireAdmin,
		check:       (*models.OrganizationInput).Validate,
		apply: func(o *models.Organization, in models.OrganizationInput, _ refResolved) {
			o.Code, o.Name, o.ContactEmail, o.TimeZone = in.Code, in.Name, in.ContactEmail, in.TimeZone
		},
		unique: func(in models.OrganizationInput) (string, string) { return "code", in.Code },
		refuseDelete: func(tx *gorm.DB, o *models.Organization) error {
			return refuseIfParticipating(tx, "organization", o.ID, "organization "+o.Code)
		},
		inUse: func(o *models.Organization) (string, string) {
			return "organization " + o.Code, "people, bodies, activities or tokens"
		},
	}
}

// CreateOrganization adds an organisation; administrators only.
func (s *Store) CreateOrganization(ctx context.Context, a models.Actor, in models.OrganizationInput) (*models.Organization, error) {
	return createRef(ctx, s, organizationKind(), a, in)
}

// UpdateOrganization replaces the writable fields; ifVersion (0 = any)
// guards against lost updates.
func (s *Store) UpdateOrganization(ctx context.Context, a models.Actor, id int64, ifVersion int, in models.OrganizationInput) (*models.Organization, error) {
	return updateRef(ctx, s, organizationKind(), a, id, ifVersion, in)
}

// DeleteOrganization removes an organisation nothing refers to any more.
func (s *Store) DeleteOrganization(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, organizationKind(), a, id, ifVersion)
}

// GetOrganization finds an organisation by id or code.
func (s *Store) GetOrganization(ctx context.Context, ref models.Ref) (*models.Organization, error) {
	return getByRef[models.Organization](s.db.WithContext(ctx), "organizations", "code", ref)
}

// ListOrganizations lists organisations by id.
func (s *Store) ListOrganizations(ctx context.Context, f models.OrganizationFilter) (models.Page[models.Organization], error) {
	q := s.db.WithContext(ctx).Model(&models.Organization{})
	if f.Code != "" {
		q = q.Where("code = ?", f.Code)
	}
	q = textFilter(q, f.Q, "code", "name")
	return paginate(q, "id", f.ListOptions, func(o models.Organization) int64 { return o.ID })
}

// ImportZone is the zone an import led by org reads floating times in when
// the file names none: tz when given (the import's timezone option), else
// the organisation's own. An unknown zone is a *ValidationError on
// "timezone"; an unknown organisation on "organization".
func (s *Store) ImportZone(ctx context.Context, org models.Ref, tz string) (*time.Location, error) {
	if tz != "" {
		v := &models.ValidationError{}
		models.CheckZone(v, "timezone", tz, true)
		if err := v.OrNil(); err != nil {
			return nil, err
		}
		return time.LoadLocation(tz)
	}
	o, err := s.GetOrganization(ctx, org)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.ValidationError{Errors: []models.FieldError{{Field: "organization", Message: fmt.Sprintf("no organisation %q", org)}}}
		}
		return nil, fmt.Errorf("load organisation %q: %w", org, err)
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("organisation %s: zone %q: %w", o.Code, o.TimeZone, err)
	}
	return loc, nil
}
