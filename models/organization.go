package models

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Organization is an institution that owns activities and staff (EU,
// NATO, a national delegation). Its contact address receives reminders
// when the organisation as a whole takes part.
type Organization struct {
	ID           int64  `json:"id" gorm:"primaryKey"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	ContactEmail string `json:"contact_email"`
	// TimeZone is the organisation's home zone (IANA), in which the
	// floating times of a calendar it imports are read.
	TimeZone  string    `json:"timezone" gorm:"column:timezone"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OrganizationInput is the writable part of an Organization.
type OrganizationInput struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	ContactEmail string `json:"contact_email"`
	// TimeZone is an IANA zone; empty means DefaultOrganizationZone.
	TimeZone string `json:"timezone"`
}

// DefaultOrganizationZone is the zone of an organisation that names none:
// jointcal plans for Brussels-based institutions (the EU, NATO and the
// national delegations to both).
const DefaultOrganizationZone = "Europe/Brussels"

// Input returns the writable fields, the base a PATCH is applied to.
func (o *Organization) Input() OrganizationInput {
	return OrganizationInput{Code: o.Code, Name: o.Name, ContactEmail: o.ContactEmail, TimeZone: o.TimeZone}
}

// validate checks the input and fills the default zone.
func (in *OrganizationInput) validate() error {
	v := &ValidationError{}
	checkCode(v, "code", in.Code)
	checkText(v, "name", in.Name, true, 200)
	checkEmail(v, "contact_email", in.ContactEmail, false)
	if in.TimeZone == "" {
		in.TimeZone = DefaultOrganizationZone
	}
	checkZone(v, "timezone", in.TimeZone, true)
	return v.orNil()
}

// organizationKind is how organisations differ in the reference CRUD:
// administrators only, unique by code.
func organizationKind() refKind[Organization, OrganizationInput] {
	return refKind[Organization, OrganizationInput]{
		entity: "organization",
		row:    func(o *Organization) refRow { return refRow{&o.ID, &o.Version, &o.CreatedAt, &o.UpdatedAt} },
		may:    Actor.requireAdmin,
		check:  (*OrganizationInput).validate,
		apply: func(o *Organization, in OrganizationInput, _ refResolved) {
			o.Code, o.Name, o.ContactEmail, o.TimeZone = in.Code, in.Name, in.ContactEmail, in.TimeZone
		},
		unique: func(in OrganizationInput) (string, string) { return "code", in.Code },
		inUse: func(o *Organization) (string, string) {
			return "organization " + o.Code, "people, bodies, activities or tokens"
		},
	}
}

// CreateOrganization adds an organisation; administrators only.
func (s *Store) CreateOrganization(ctx context.Context, a Actor, in OrganizationInput) (*Organization, error) {
	return createRef(ctx, s, organizationKind(), a, in)
}

// UpdateOrganization replaces the writable fields; ifVersion (0 = any)
// guards against lost updates.
func (s *Store) UpdateOrganization(ctx context.Context, a Actor, id int64, ifVersion int, in OrganizationInput) (*Organization, error) {
	return updateRef(ctx, s, organizationKind(), a, id, ifVersion, in)
}

// DeleteOrganization removes an organisation nothing refers to any more.
func (s *Store) DeleteOrganization(ctx context.Context, a Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, organizationKind(), a, id, ifVersion)
}

// GetOrganization finds an organisation by id or code.
func (s *Store) GetOrganization(ctx context.Context, ref Ref) (*Organization, error) {
	return getByRef[Organization](s.db.WithContext(ctx), "organizations", "code", ref)
}

// OrganizationFilter narrows the organisation list.
type OrganizationFilter struct {
	Code string
	Q    string
	ListOptions
}

// ListOrganizations lists organisations by id.
func (s *Store) ListOrganizations(ctx context.Context, f OrganizationFilter) (Page[Organization], error) {
	q := s.db.WithContext(ctx).Model(&Organization{})
	if f.Code != "" {
		q = q.Where("code = ?", f.Code)
	}
	q = textFilter(q, f.Q, "code", "name")
	return paginate(q, "id", f.ListOptions, func(o Organization) int64 { return o.ID })
}

// ImportZone is the zone an import led by org reads floating times in when
// the file names none: tz when given (the import's timezone option), else
// the organisation's own. An unknown zone is a *ValidationError on
// "timezone"; an unknown organisation on "organization".
func (s *Store) ImportZone(ctx context.Context, org Ref, tz string) (*time.Location, error) {
	if tz != "" {
		v := &ValidationError{}
		checkZone(v, "timezone", tz, true)
		if err := v.orNil(); err != nil {
			return nil, err
		}
		return time.LoadLocation(tz)
	}
	o, err := s.GetOrganization(ctx, org)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, &ValidationError{Errors: []FieldError{{Field: "organization", Message: fmt.Sprintf("no organisation %q", org)}}}
		}
		return nil, fmt.Errorf("load organisation %q: %w", org, err)
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("organisation %s: zone %q: %w", o.Code, o.TimeZone, err)
	}
	return loc, nil
}
