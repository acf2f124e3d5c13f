package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Body is a committee, staff or service inside an organisation (NAC, PSC,
// EU Military Staff). It meets, so it can be double-booked, and its
// members receive the reminders of the activities it takes part in.
type Body struct {
	ID               int64     `json:"id" gorm:"primaryKey"`
	Code             string    `json:"code"`
	Name             string    `json:"name"`
	OrganizationID   int64     `json:"-"`
	OrganizationCode string    `json:"organization" gorm:"-"`
	Members          []string  `json:"members" gorm:"-"`
	Version          int       `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// TableName maps Body to bodies.
func (Body) TableName() string { return "bodies" }

// BodyInput is the writable part of a Body; members are people by id or
// e-mail address.
type BodyInput struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Organization Ref    `json:"organization"`
	Members      []Ref  `json:"members"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (b *Body) Input() BodyInput {
	in := BodyInput{Code: b.Code, Name: b.Name, Organization: Ref(b.OrganizationCode), Members: []Ref{}}
	for _, m := range b.Members {
		in.Members = append(in.Members, Ref(m))
	}
	return in
}

func (in BodyInput) validate(tx *gorm.DB) (orgID int64, members []int64, err error) {
	v := &ValidationError{}
	checkCode(v, "code", in.Code)
	checkText(v, "name", in.Name, true, 200)
	if in.Organization == "" {
		v.add("organization", "is required")
	}
	orgID = resolveField(tx, v, "organization", "organizations", "code", in.Organization)
	seen := map[int64]bool{}
	for i, m := range in.Members {
		id := resolveField(tx, v, fmt.Sprintf("members[%d]", i), "people", "email", m)
		if id != 0 && !seen[id] {
			seen[id] = true
			members = append(members, id)
		}
	}
	return orgID, members, v.orNil()
}

type bodyMember struct {
	BodyID   int64
	PersonID int64
}

func (bodyMember) TableName() string { return "body_members" }

// bodyKind is how bodies differ in the reference CRUD: a planner changes
// the bodies of their own organisation only; members are written beside
// the row; unique by code.
func bodyKind() refKind[Body, BodyInput] {
	return refKind[Body, BodyInput]{
		entity:    "body",
		row:       func(b *Body) refRow { return refRow{&b.ID, &b.Version, &b.CreatedAt, &b.UpdatedAt} },
		mayChange: func(_ *gorm.DB, a Actor, b *Body) error { return a.canWriteReference(b.OrganizationID) },
		resolve: func(tx *gorm.DB, a Actor, in *BodyInput, _ *Body) (refResolved, error) {
			orgID, members, err := in.validate(tx)
			if err != nil {
				return refResolved{}, err
			}
			return refResolved{OrgID: orgID, IDs: members}, a.canWriteReference(orgID)
		},
		apply: func(b *Body, in BodyInput, res refResolved) {
			b.Code, b.Name, b.OrganizationID = in.Code, in.Name, res.OrgID
		},
		link:   func(tx *gorm.DB, b *Body, res refResolved) error { return setMembers(tx, b.ID, res.IDs) },
		fill:   func(tx *gorm.DB, b *Body) error { return fillBodies(tx, []*Body{b}) },
		unique: func(in BodyInput) (string, string) { return "code", in.Code },
		refuseDelete: func(tx *gorm.DB, b *Body) error {
			if err := refuseIfParticipating(tx, "body", b.ID, "body "+b.Code); err != nil {
				return err
			}
			return fillBodies(tx, []*Body{b})
		},
		inUse: func(b *Body) (string, string) { return "body " + b.Code, "other data" },
	}
}

// CreateBody adds a body; a planner may add bodies of their organisation.
func (s *Store) CreateBody(ctx context.Context, a Actor, in BodyInput) (*Body, error) {
	return createRef(ctx, s, bodyKind(), a, in)
}

// UpdateBody replaces the writable fields of a body, members included.
func (s *Store) UpdateBody(ctx context.Context, a Actor, id int64, ifVersion int, in BodyInput) (*Body, error) {
	return updateRef(ctx, s, bodyKind(), a, id, ifVersion, in)
}

// DeleteBody removes a body that takes part in no activity.
func (s *Store) DeleteBody(ctx context.Context, a Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, bodyKind(), a, id, ifVersion)
}

// GetBody finds a body by id or code.
func (s *Store) GetBody(ctx context.Context, ref Ref) (*Body, error) {
	db := s.db.WithContext(ctx)
	b, err := getByRef[Body](db, "bodies", "code", ref)
	if err != nil {
		return nil, err
	}
	return b, fillBodies(db, []*Body{b})
}

// BodyFilter narrows the body list.
type BodyFilter struct {
	Organization Ref
	Member       Ref
	Q            string
	ListOptions
}

// ListBodies lists bodies by id.
func (s *Store) ListBodies(ctx context.Context, f BodyFilter) (Page[Body], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&Body{})
	if f.Organization != "" {
		id, err := resolve(db, "organizations", "code", f.Organization)
		if err != nil {
			return Page[Body]{Items: []Body{}}, nil
		}
		q = q.Where("organization_id = ?", id)
	}
	if f.Member != "" {
		id, err := resolve(db, "people", "email", f.Member)
		if err != nil {
			return Page[Body]{Items: []Body{}}, nil
		}
		q = q.Where("id IN (SELECT body_id FROM body_members WHERE person_id = ?)", id)
	}
	q = textFilter(q, f.Q, "code", "name")
	page, err := paginate(q, "id", f.ListOptions, func(b Body) int64 { return b.ID })
	if err != nil {
		return page, err
	}
	return page, fillBodies(db, ptrs(page.Items))
}

func setMembers(tx *gorm.DB, bodyID int64, members []int64) error {
	if err := tx.Where("body_id = ?", bodyID).Delete(&bodyMember{}).Error; err != nil {
		return err
	}
	for _, m := range members {
		if err := tx.Create(&bodyMember{BodyID: bodyID, PersonID: m}).Error; err != nil {
			return err
		}
	}
	return nil
}

// fillBodies sets organisation codes and member e-mail addresses.
func fillBodies(db *gorm.DB, bodies []*Body) error {
	if len(bodies) == 0 {
		return nil
	}
	codes, err := orgCodes(db)
	if err != nil {
		return err
	}
	ids := make([]int64, len(bodies))
	for i, b := range bodies {
		ids[i] = b.ID
		b.OrganizationCode = codes[b.OrganizationID]
		b.Members = []string{}
	}
	var rows []struct {
		BodyID int64
		Email  string
	}
	if err := db.Table("body_members").Select("body_members.body_id, people.email").
		Joins("JOIN people ON people.id = body_members.person_id").
		Where("body_members.body_id IN ?", ids).Order("people.email").Scan(&rows).Error; err != nil {
		return err
	}
	byID := map[int64]*Body{}
	for _, b := range bodies {
		byID[b.ID] = b
	}
	for _, r := range rows {
		byID[r.BodyID].Members = append(byID[r.BodyID].Members, r.Email)
	}
	return nil
}

// refuseIfParticipating keeps an entity that activities still name, so
// that deleting it never silently changes a plan.
func refuseIfParticipating(tx *gorm.DB, typ string, id int64, what string) error {
	var n int64
	if err := tx.Table("participants").Joins("JOIN activities ON activities.id = participants.activity_id").
		Where("participants.type = ? AND participants.ref_id = ? AND activities.deleted_at IS NULL", typ, id).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return &InUseError{Entity: what, By: fmt.Sprintf("%d activities", n)}
	}
	return nil
}
