package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

type blackoutOrganization struct {
	BlackoutID     int64
	OrganizationID int64
}

func (blackoutOrganization) TableName() string { return "blackout_organizations" }

func validateBlackoutInput(in models.BlackoutInput, tx *gorm.DB, a models.Actor) ([]int64, error) {
	v := &models.ValidationError{}
	models.CheckText(v, "title", in.Title, true, 300)
	if in.Start.IsZero() || in.End.IsZero() {
		v.Add("start", "start and end are required (RFC 3339)")
	} else if !in.End.After(in.Start) {
		v.Add("end", "must be after start")
	}
	models.CheckEnum(v, "severity", in.Severity, "hard", "soft")
	if len(in.Organizations) == 0 {
		v.Add("organizations", "name at least one organisation")
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
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := a.CanWriteActivity(id); err != nil {
			return nil, &models.ForbiddenError{Reason: "a planner may only set blackouts of their own organisation"}
		}
	}
	return ids, nil
}

// blackoutKind is how blackouts differ in the reference CRUD: a planner
// sets blackouts of their own organisation only, so one may change or
// delete a blackout only if every organisation it names, before and
// after, is theirs; the organisations are written beside the row; no
// field is unique and no row refers to a blackout.
func blackoutKind() refKind[models.Blackout, models.BlackoutInput] {
	return refKind[models.Blackout, models.BlackoutInput]{
		entity:    "blackout",
		row:       func(b *models.Blackout) refRow { return refRow{&b.ID, &b.Version, &b.CreatedAt, &b.UpdatedAt} },
		mayChange: mayChangeBlackout,
		resolve: func(tx *gorm.DB, a models.Actor, in *models.BlackoutInput, _ *models.Blackout) (refResolved, error) {
			ids, err := validateBlackoutInput(*in, tx, a)
			return refResolved{IDs: ids}, err
		},
		apply: func(b *models.Blackout, in models.BlackoutInput, _ refResolved) {
			b.Title, b.StartAt, b.EndAt, b.Severity = in.Title, in.Start.UTC(), in.End.UTC(), in.Severity
		},
		link: func(tx *gorm.DB, b *models.Blackout, res refResolved) error {
			return setBlackoutOrgs(tx, b.ID, res.IDs)
		},
		fill: func(tx *gorm.DB, b *models.Blackout) error { return fillBlackouts(tx, []*models.Blackout{b}) },
	}
}

// CreateBlackout adds a blackout.
func (s *Store) CreateBlackout(ctx context.Context, a models.Actor, in models.BlackoutInput) (*models.Blackout, error) {
	return createRef(ctx, s, blackoutKind(), a, in)
}

// UpdateBlackout replaces the writable fields of a blackout.
func (s *Store) UpdateBlackout(ctx context.Context, a models.Actor, id int64, ifVersion int, in models.BlackoutInput) (*models.Blackout, error) {
	return updateRef(ctx, s, blackoutKind(), a, id, ifVersion, in)
}

// DeleteBlackout removes a blackout.
func (s *Store) DeleteBlackout(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, blackoutKind(), a, id, ifVersion)
}

// mayChangeBlackout fills a blackout just loaded for a change by a, who
// must be allowed to set blackouts for every organisation it names.
func mayChangeBlackout(tx *gorm.DB, a models.Actor, b *models.Blackout) error {
	if err := fillBlackouts(tx, []*models.Blackout{b}); err != nil {
		return err
	}
	_, err := validateBlackoutInput(b.Input(), tx, a)
	return err
}

// GetBlackout returns one blackout.
func (s *Store) GetBlackout(ctx context.Context, id int64) (*models.Blackout, error) {
	db := s.db.WithContext(ctx)
	b, err := getByRef[models.Blackout](db, "blackouts", "id", models.Ref(strconv.FormatInt(id, 10)))
	if err != nil {
		return nil, err
	}
	return b, fillBlackouts(db, []*models.Blackout{b})
}

// ListBlackouts lists blackouts by id.
func (s *Store) ListBlackouts(ctx context.Context, f models.BlackoutFilter) (models.Page[models.Blackout], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&models.Blackout{})
	if f.Organization != "" {
		id, err := resolve(db, "organizations", "code", f.Organization)
		if err != nil {
			return models.Page[models.Blackout]{Items: []models.Blackout{}}, nil
		}
		q = q.Where("id IN (SELECT blackout_id FROM blackout_organizations WHERE organization_id = ?)", id)
	}
	if !f.From.IsZero() {
		q = q.Where("end_at > ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("start_at < ?", f.To.UTC())
	}
	page, err := paginate(q, "id", f.ListOptions, func(b models.Blackout) int64 { return b.ID })
	if err != nil {
		return page, err
	}
	return page, fillBlackouts(db, ptrs(page.Items))
}

func setBlackoutOrgs(tx *gorm.DB, id int64, orgs []int64) error {
	if err := tx.Where("blackout_id = ?", id).Delete(&blackoutOrganization{}).Error; err != nil {
		return fmt.Errorf("delete blackout organization: %w", err)
	}
	for _, o := range orgs {
		if err := tx.Create(&blackoutOrganization{BlackoutID: id, OrganizationID: o}).Error; err != nil {
			return fmt.Errorf("insert blackout organization: %w", err)
		}
	}
	return nil
}

func fillBlackouts(db *gorm.DB, bs []*models.Blackout) error {
	if len(bs) == 0 {
		return nil
	}
	codes, err := orgCodes(db)
	if err != nil {
		return err
	}
	byID := map[int64]*models.Blackout{}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
		b.Organizations = []string{}
		byID[b.ID] = b
	}
	var rows []blackoutOrganization
	if err := db.Where("blackout_id IN ?", ids).Order("organization_id").Find(&rows).Error; err != nil {
		return fmt.Errorf("fill blackouts: %w", err)
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
	out, err := readBlackouts(tx.Where("bo.organization_id IN ? AND blackouts.end_at > ? AND blackouts.start_at < ?", orgs, from.UTC(), to.UTC()))
	if err != nil {
		return nil, fmt.Errorf("read blackouts: %w", err)
	}
	return out, nil
}

// readBlackouts reads the blackouts that where (conditions on blackouts
// and on their organisations, bo) selects, each with those of its
// organisations that the conditions keep, in one statement.
func readBlackouts(where *gorm.DB) ([]planning.Blackout, error) {
	var rows []struct {
		ID             int64
		Title          string
		StartAt        time.Time
		EndAt          time.Time
		Severity       string
		OrganizationID int64
	}
	if err := where.Table("blackouts").Select("blackouts.id, blackouts.title, blackouts.start_at, blackouts.end_at, blackouts.severity, bo.organization_id").
		Joins("JOIN blackout_organizations bo ON bo.blackout_id = blackouts.id").
		Order("blackouts.id, bo.organization_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []planning.Blackout
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, planning.Blackout{ID: r.ID, Title: r.Title, Start: r.StartAt.UTC(), End: r.EndAt.UTC(), Severity: planning.Severity(r.Severity)})
		}
		b := &out[len(out)-1]
		b.Organizations = append(b.Organizations, r.OrganizationID)
	}
	return out, nil
}
