package models

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// Blackout is a period in which some organisations plan nothing (hard) or
// want a warning (soft): a summit week, a holiday.
type Blackout struct {
	ID            int64     `json:"id" gorm:"primaryKey"`
	Title         string    `json:"title"`
	StartAt       time.Time `json:"start"`
	EndAt         time.Time `json:"end"`
	Severity      string    `json:"severity"`
	Organizations []string  `json:"organizations" gorm:"-"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// BlackoutInput is the writable part of a Blackout.
type BlackoutInput struct {
	Title         string    `json:"title"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Severity      string    `json:"severity"`
	Organizations []Ref     `json:"organizations"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (b *Blackout) Input() BlackoutInput {
	in := BlackoutInput{Title: b.Title, Start: b.StartAt, End: b.EndAt, Severity: b.Severity}
	for _, c := range b.Organizations {
		in.Organizations = append(in.Organizations, Ref(c))
	}
	return in
}

type blackoutOrganization struct {
	BlackoutID     int64
	OrganizationID int64
}

func (blackoutOrganization) TableName() string { return "blackout_organizations" }

func (in BlackoutInput) validate(tx *gorm.DB, a Actor) ([]int64, error) {
	v := &ValidationError{}
	checkText(v, "title", in.Title, true, 300)
	if in.Start.IsZero() || in.End.IsZero() {
		v.add("start", "start and end are required (RFC 3339)")
	} else if !in.End.After(in.Start) {
		v.add("end", "must be after start")
	}
	checkEnum(v, "severity", in.Severity, "hard", "soft")
	if len(in.Organizations) == 0 {
		v.add("organizations", "name at least one organisation")
	}
	var ids []int64
	seen := map[int64]bool{}
	for i, r := range in.Organizations {
		id := resolveField(tx, v, fmt.Sprintf("organizations[%d]", i), "organizations", "code", r)
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := a.canWriteActivity(id); err != nil {
			return nil, &ForbiddenError{Reason: "a planner may only set blackouts of their own organisation"}
		}
	}
	return ids, nil
}

// blackoutKind is how blackouts differ in the reference CRUD: a planner
// sets blackouts of their own organisation only, so one may change or
// delete a blackout only if every organisation it names, before and
// after, is theirs; the organisations are written beside the row; no
// field is unique and no row refers to a blackout.
func blackoutKind() refKind[Blackout, BlackoutInput] {
	return refKind[Blackout, BlackoutInput]{
		entity:    "blackout",
		row:       func(b *Blackout) refRow { return refRow{&b.ID, &b.Version, &b.CreatedAt, &b.UpdatedAt} },
		mayChange: mayChangeBlackout,
		resolve: func(tx *gorm.DB, a Actor, in *BlackoutInput, _ *Blackout) (refResolved, error) {
			ids, err := in.validate(tx, a)
			return refResolved{IDs: ids}, err
		},
		apply: func(b *Blackout, in BlackoutInput, _ refResolved) {
			b.Title, b.StartAt, b.EndAt, b.Severity = in.Title, in.Start.UTC(), in.End.UTC(), in.Severity
		},
		link: func(tx *gorm.DB, b *Blackout, res refResolved) error { return setBlackoutOrgs(tx, b.ID, res.IDs) },
		fill: func(tx *gorm.DB, b *Blackout) error { return fillBlackouts(tx, []*Blackout{b}) },
	}
}

// CreateBlackout adds a blackout.
func (s *Store) CreateBlackout(ctx context.Context, a Actor, in BlackoutInput) (*Blackout, error) {
	return createRef(ctx, s, blackoutKind(), a, in)
}

// UpdateBlackout replaces the writable fields of a blackout.
func (s *Store) UpdateBlackout(ctx context.Context, a Actor, id int64, ifVersion int, in BlackoutInput) (*Blackout, error) {
	return updateRef(ctx, s, blackoutKind(), a, id, ifVersion, in)
}

// DeleteBlackout removes a blackout.
func (s *Store) DeleteBlackout(ctx context.Context, a Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, blackoutKind(), a, id, ifVersion)
}

// mayChangeBlackout fills a blackout just loaded for a change by a, who
// must be allowed to set blackouts for every organisation it names.
func mayChangeBlackout(tx *gorm.DB, a Actor, b *Blackout) error {
	if err := fillBlackouts(tx, []*Blackout{b}); err != nil {
		return err
	}
	_, err := b.Input().validate(tx, a)
	return err
}

// GetBlackout returns one blackout.
func (s *Store) GetBlackout(ctx context.Context, id int64) (*Blackout, error) {
	db := s.db.WithContext(ctx)
	b, err := getByRef[Blackout](db, "blackouts", "id", Ref(itoa(id)))
	if err != nil {
		return nil, err
	}
	return b, fillBlackouts(db, []*Blackout{b})
}

// BlackoutFilter narrows the blackout list.
type BlackoutFilter struct {
	Organization Ref
	From, To     time.Time
	ListOptions
}

// ListBlackouts lists blackouts by id.
func (s *Store) ListBlackouts(ctx context.Context, f BlackoutFilter) (Page[Blackout], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&Blackout{})
	if f.Organization != "" {
		id, err := resolve(db, "organizations", "code", f.Organization)
		if err != nil {
			return Page[Blackout]{Items: []Blackout{}}, nil
		}
		q = q.Where("id IN (SELECT blackout_id FROM blackout_organizations WHERE organization_id = ?)", id)
	}
	if !f.From.IsZero() {
		q = q.Where("end_at > ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("start_at < ?", f.To.UTC())
	}
	page, err := paginate(q, "id", f.ListOptions, func(b Blackout) int64 { return b.ID })
	if err != nil {
		return page, err
	}
	return page, fillBlackouts(db, ptrs(page.Items))
}

func setBlackoutOrgs(tx *gorm.DB, id int64, orgs []int64) error {
	if err := tx.Where("blackout_id = ?", id).Delete(&blackoutOrganization{}).Error; err != nil {
		return err
	}
	for _, o := range orgs {
		if err := tx.Create(&blackoutOrganization{BlackoutID: id, OrganizationID: o}).Error; err != nil {
			return err
		}
	}
	return nil
}

func fillBlackouts(db *gorm.DB, bs []*Blackout) error {
	if len(bs) == 0 {
		return nil
	}
	codes, err := orgCodes(db)
	if err != nil {
		return err
	}
	byID := map[int64]*Blackout{}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
		b.Organizations = []string{}
		byID[b.ID] = b
	}
	var rows []blackoutOrganization
	if err := db.Where("blackout_id IN ?", ids).Order("organization_id").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		byID[r.BlackoutID].Organizations = append(byID[r.BlackoutID].Organizations, codes[r.OrganizationID])
	}
	return nil
}

// loadBlackouts reads the blackouts of orgs overlapping [from, to).
func loadBlackouts(tx *gorm.DB, orgs []int64, from, to time.Time) ([]planning.Blackout, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID             int64
		Title          string
		StartAt        time.Time
		EndAt          time.Time
		Severity       string
		OrganizationID int64
	}
	if err := tx.Table("blackouts").Select("blackouts.id, blackouts.title, blackouts.start_at, blackouts.end_at, blackouts.severity, bo.organization_id").
		Joins("JOIN blackout_organizations bo ON bo.blackout_id = blackouts.id").
		Where("bo.organization_id IN ? AND blackouts.end_at > ? AND blackouts.start_at < ?", orgs, from.UTC(), to.UTC()).
		Order("blackouts.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []planning.Blackout
	idx := map[int64]int{}
	for _, r := range rows {
		i, ok := idx[r.ID]
		if !ok {
			i = len(out)
			idx[r.ID] = i
			out = append(out, planning.Blackout{ID: r.ID, Title: r.Title, Start: r.StartAt.UTC(), End: r.EndAt.UTC(), Severity: planning.Severity(r.Severity)})
		}
		out[i].Organizations = append(out[i].Organizations, r.OrganizationID)
	}
	return out, nil
}
