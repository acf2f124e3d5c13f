package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

func validateBodyInput(in models.BodyInput, tx *gorm.DB) (orgID int64, members []int64, err error) {
	v := &models.ValidationError{}
	models.CheckCode(v, "code", in.Code)
	models.CheckText(v, "name", in.Name, true, 200)
	if in.Organization == "" {
		v.Add("organization", "is required")
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
	return orgID, members, v.OrNil()
}

type bodyMember struct {
	BodyID   int64
	PersonID int64
}

func (bodyMember) TableName() string { return "body_members" }

// bodyKind is how bodies differ in the reference CRUD: a planner changes
// the bodies of their own organisation only; members are written beside
// the row; unique by code.
func bodyKind() refKind[models.Body, models.BodyInput] {
	return refKind[models.Body, models.BodyInput]{
		entity:      "body",
		shown:       true,
		participant: "body",
		row:         func(b *models.Body) refRow { return refRow{&b.ID, &b.Version, &b.CreatedAt, &b.UpdatedAt} },
		mayChange:   func(_ *gorm.DB, a models.Actor, b *models.Body) error { return a.CanWriteReference(b.OrganizationID) },
		resolve: func(tx *gorm.DB, a models.Actor, in *models.BodyInput, _ *models.Body) (refResolved, error) {
			orgID, members, err := validateBodyInput(*in, tx)
			if err != nil {
				return refResolved{}, err
			}
			return refResolved{OrgID: orgID, IDs: members}, a.CanWriteReference(orgID)
		},
		apply: func(b *models.Body, in models.BodyInput, res refResolved) {
			b.Code, b.Name, b.OrganizationID = in.Code, in.Name, res.OrgID
		},
		link:   func(tx *gorm.DB, b *models.Body, res refResolved) error { return setMembers(tx, b.ID, res.IDs) },
		fill:   func(tx *gorm.DB, b *models.Body) error { return fillBodies(tx, []*models.Body{b}) },
		unique: func(in models.BodyInput) (string, string) { return "code", in.Code },
		refuseDelete: func(tx *gorm.DB, b *models.Body) error {
			if err := refuseIfParticipating(tx, "body", b.ID, "body "+b.Code); err != nil {
				return err
			}
			return fillBodies(tx, []*models.Body{b})
		},
		inUse: func(b *models.Body) (string, string) { return "body " + b.Code, "other data" },
	}
}

// CreateBody adds a body; a planner may add bodies of their organisation.
func (s *Store) CreateBody(ctx context.Context, a models.Actor, in models.BodyInput) (*models.Body, error) {
	return createRef(ctx, s, bodyKind(), a, in)
}

// UpdateBody replaces the writable fields of a body, members included.
func (s *Store) UpdateBody(ctx context.Context, a models.Actor, id int64, ifVersion int, in models.BodyInput) (*models.Body, error) {
	return updateRef(ctx, s, bodyKind(), a, id, ifVersion, in)
}

// DeleteBody removes a body that takes part in no activity.
func (s *Store) DeleteBody(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, bodyKind(), a, id, ifVersion)
}

// GetBody finds a body by id or code.
func (s *Store) GetBody(ctx context.Context, ref models.Ref) (*models.Body, error) {
	db := s.db.WithContext(ctx)
	b, err := getByRef[models.Body](db, "bodies", "code", ref)
	if err != nil {
		return nil, err
	}
	return b, fillBodies(db, []*models.Body{b})
}

// ListBodies lists bodies by id.
func (s *Store) ListBodies(ctx context.Context, f models.BodyFilter) (models.Page[models.Body], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&models.Body{})
	if f.Organization != "" {
		id, err := resolve(db, "organizations", "code", f.Organization)
		if err != nil {
			return models.Page[models.Body]{Items: []models.Body{}}, nil
		}
		q = q.Where("organization_id = ?", id)
	}
	if f.Member != "" {
		id, err := resolve(db, "people", "email", f.Member)
		if err != nil {
			return models.Page[models.Body]{Items: []models.Body{}}, nil
		}
		q = q.Where("id IN (SELECT body_id FROM body_members WHERE person_id = ?)", id)
	}
	q = textFilter(q, f.Q, "code", "name")
	page, err := paginate(q, "id", f.ListOptions, func(b models.Body) int64 { return b.ID })
	if err != nil {
		return page, err
	}
	return page, fillBodies(db, ptrs(page.Items))
}

// BodyAndOrganizationCodes says which of codes are a body's code and which
// an organisation's, reading only those rows (one statement): a form that
// takes a bare code ("PSC", "NATO") needs to know what it names, and
// reading every body to find out grows with the bodies (the demo at scale
// has more than a page of them). A string that parses as an id is no code
// (a code starts with a letter) and is left out.
func (s *Store) BodyAndOrganizationCodes(ctx context.Context, codes []string) (bodies, orgs map[string]bool, err error) {
	bodies, orgs = map[string]bool{}, map[string]bool{}
	seen := map[string]bool{}
	var refs []models.Ref
	for _, c := range codes {
		if _, isID := models.Ref(c).ID(); !isID && c != "" && !seen[c] {
			seen[c] = true
			refs = append(refs, models.Ref(c))
		}
	}
	// A chunk at a time, each code bound twice: any number of codes stays
	// within the databases' bound parameters.
	for len(refs) > 0 {
		n := min(len(refs), codeLookupChunk)
		found, err := lookupNames(s.db.WithContext(ctx), map[string][]models.Ref{"bodies": refs[:n], "organizations": refs[:n]})
		if err != nil {
			return nil, nil, fmt.Errorf("body and organisation codes: %w", err)
		}
		for code := range found.byCode["bodies"] {
			bodies[code] = true
		}
		for code := range found.byCode["organizations"] {
			orgs[code] = true
		}
		refs = refs[n:]
	}
	return bodies, orgs, nil
}

// codeLookupChunk is how many codes BodyAndOrganizationCodes looks up in
// one statement.
const codeLookupChunk = 1000

func setMembers(tx *gorm.DB, bodyID int64, members []int64) error {
	if err := tx.Where("body_id = ?", bodyID).Delete(&bodyMember{}).Error; err != nil {
		return fmt.Errorf("delete body member: %w", err)
	}
	for _, m := range members {
		if err := tx.Create(&bodyMember{BodyID: bodyID, PersonID: m}).Error; err != nil {
			return fmt.Errorf("insert body member: %w", err)
		}
	}
	return nil
}

// fillBodies sets organisation codes and member e-mail addresses.
func fillBodies(db *gorm.DB, bodies []*models.Body) error {
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
		return fmt.Errorf("read body members: %w", err)
	}
	byID := map[int64]*models.Body{}
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
		return fmt.Errorf("count participants: %w", err)
	}
	if n > 0 {
		return &models.InUseError{Entity: what, By: fmt.Sprintf("%d activities", n)}
	}
	return nil
}
