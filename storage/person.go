package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

func validatePersonInput(in *models.PersonInput, tx *gorm.DB) (orgID int64, err error) {
	v := &models.ValidationError{}
	in.Email = strings.TrimSpace(in.Email)
	models.CheckText(v, "name", in.Name, true, 200)
	models.CheckEmail(v, "email", in.Email, true)
	models.CheckZone(v, "timezone", in.TimeZone, true)
	models.CheckText(v, "title", in.Title, false, 200)
	orgID = resolveField(tx, v, "organization", "organizations", "code", in.Organization)
	for i, o := range in.ReminderPreferences.Offsets {
		if d, err := isoduration.Parse(o); err != nil || d <= 0 || d > 366*24*time.Hour {
			v.Add(fmt.Sprintf("reminder_preferences.offsets[%d]", i), "want an ISO 8601 duration between PT1M and P366D, such as P1D")
		}
	}
	return orgID, v.OrNil()
}

// personKind is how people differ in the reference CRUD: a planner
// changes people of their own organisation only, an administrator alone
// people of none or a person's e-mail address (which ends their
// credentials, read at now); unique by e-mail address.
func personKind(now func() time.Time) refKind[models.Person, models.PersonInput] {
	return refKind[models.Person, models.PersonInput]{
		entity:      "person",
		shown:       true,
		participant: "person",
		row:         func(p *models.Person) refRow { return refRow{&p.ID, &p.Version, &p.CreatedAt, &p.UpdatedAt} },
		mayChange:   canWritePerson,
		resolve: func(tx *gorm.DB, a models.Actor, in *models.PersonInput, old *models.Person) (refResolved, error) {
			orgID, err := validatePersonInput(in, tx)
			if err != nil {
				return refResolved{}, err
			}
			return refResolved{OrgID: orgID}, mayWritePersonInput(tx, a, orgID, in, old, now)
		},
		apply: func(p *models.Person, in models.PersonInput, res refResolved) {
			p.Name, p.Email, p.TimeZone, p.Title, p.OrganizationID, p.ReminderPreferences = in.Name, in.Email, in.TimeZone, in.Title, nullID(res.OrgID), in.ReminderPreferences
		},
		fill:   func(tx *gorm.DB, p *models.Person) error { return fillPeople(tx, []*models.Person{p}) },
		unique: func(in models.PersonInput) (string, string) { return "email", in.Email },
		refuseDelete: func(tx *gorm.DB, p *models.Person) error {
			return refuseIfParticipating(tx, "person", p.ID, "person "+p.Email)
		},
		inUse: func(p *models.Person) (string, string) {
			return "person " + p.Email, "bodies (remove them from their bodies first)"
		},
	}
}

// mayWritePersonInput says whether a may give a person (old, nil when
// adding one) the organisation orgID and the address in in; a changed
// address ends the person's credentials.
func mayWritePersonInput(tx *gorm.DB, a models.Actor, orgID int64, in *models.PersonInput, old *models.Person, now func() time.Time) error {
	if err := a.CanWriteReference(orgID); err != nil {
		return err
	}
	if orgID == 0 && a.Role != models.RoleAdmin {
		if old == nil {
			return &models.ForbiddenError{Reason: "only an administrator may add a person of no organisation"}
		}
		return &models.ForbiddenError{Reason: "only an administrator may make a person one of no organisation"}
	}
	if old == nil || strings.EqualFold(in.Email, old.Email) {
		return nil
	}
	if a.Role != models.RoleAdmin {
		return &models.ForbiddenError{Reason: "only an administrator may change a person's e-mail address: it is how they sign in"}
	}
	return endCredentials(tx, old.ID, now())
}

// CreatePerson adds a person; a planner may add people of their own
// organisation.
func (s *Store) CreatePerson(ctx context.Context, a models.Actor, in models.PersonInput) (*models.Person, error) {
	return createRef(ctx, s, personKind(s.now), a, in)
}

// UpdatePerson replaces the writable fields of a person.
func (s *Store) UpdatePerson(ctx context.Context, a models.Actor, id int64, ifVersion int, in models.PersonInput) (*models.Person, error) {
	return updateRef(ctx, s, personKind(s.now), a, id, ifVersion, in)
}

// endCredentials ends every way a person is signed in or may sign in
// (sessions, unused links, personal tokens): their address changed, so
// whatever the old address obtained must not outlive it.
func endCredentials(tx *gorm.DB, personID int64, now time.Time) error {
	for _, q := range []struct{ table, column, cond string }{
		{"sessions", "revoked_at", "revoked_at IS NULL"},
		{"signin_links", "used_at", "used_at IS NULL"},
		{"api_tokens", "revoked_at", "revoked_at IS NULL"},
	} {
		if err := tx.Table(q.table).Where("person_id = ? AND "+q.cond, personID).Update(q.column, now).Error; err != nil {
			return fmt.Errorf("end the %s of person %d: %w", q.table, personID, err)
		}
	}
	return nil
}

// DeletePerson removes a person who is neither a member of a body nor a
// participant of an activity.
func (s *Store) DeletePerson(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, personKind(s.now), a, id, ifVersion)
}

// GetPerson finds a person by id or e-mail address.
func (s *Store) GetPerson(ctx context.Context, ref models.Ref) (*models.Person, error) {
	db := s.db.WithContext(ctx)
	p, err := getByRef[models.Person](db, "people", "email", ref)
	if err != nil {
		return nil, err
	}
	return p, fillPeople(db, []*models.Person{p})
}

// ListPeople lists people by id.
func (s *Store) ListPeople(ctx context.Context, f models.PersonFilter) (models.Page[models.Person], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&models.Person{})
	if f.Organization != "" {
		id, err := resolve(db, "organizations", "code", f.Organization)
		if err != nil {
			return models.Page[models.Person]{Items: []models.Person{}}, nil
		}
		q = q.Where("organization_id = ?", id)
	}
	if f.Body != "" {
		id, err := resolve(db, "bodies", "code", f.Body)
		if err != nil {
			return models.Page[models.Person]{Items: []models.Person{}}, nil
		}
		q = q.Where("id IN (SELECT person_id FROM body_members WHERE body_id = ?)", id)
	}
	q = textFilter(q, f.Q, "name", "email", "title")
	page, err := paginate(q, "id", f.ListOptions, func(p models.Person) int64 { return p.ID })
	if err != nil {
		return page, err
	}
	return page, fillPeople(db, ptrs(page.Items))
}

// fillPeople sets the organisation codes of people.
func fillPeople(db *gorm.DB, people []*models.Person) error {
	codes, err := orgCodes(db)
	if err != nil {
		return err
	}
	for _, p := range people {
		p.OrganizationCode = codes[derefID(p.OrganizationID)]
	}
	return nil
}

// orgCodes maps organisation ids to codes; the table is small.
func orgCodes(db *gorm.DB) (map[int64]string, error) {
	return codesByID(db, "organizations")
}

// codesByID maps every row of table (organizations, bodies, venues) to
// its code.
func codesByID(db *gorm.DB, table string) (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Code string
	}
	if err := db.Table(table).Select("id, code").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the codes of %s: %w", table, err)
	}
	m := make(map[int64]string, len(rows))
	for _, r := range rows {
		m[r.ID] = r.Code
	}
	return m, nil
}
