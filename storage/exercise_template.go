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

// exerciseTemplateRow is the stored template.
type exerciseTemplateRow struct {
	ID                 int64 `gorm:"primaryKey"`
	Name               string
	Series             string
	Kind               string
	Description        string
	LeadOrganizationID *int64
	Entries            models.TemplateEntries `gorm:"type:text"`
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (exerciseTemplateRow) TableName() string { return "exercise_templates" }

func (r *exerciseTemplateRow) RowVersion() int { return r.Version }

// validateExerciseTemplateInput checks a template and resolves its lead organisation. Entry
// references are resolved here to refuse a misspelt code at once, and
// again at each instantiation (a body may be deleted meanwhile).
func validateExerciseTemplateInput(in *models.ExerciseTemplateInput, tx *gorm.DB) (*int64, error) {
	v := &models.ValidationError{}
	in.Name, in.Series = strings.TrimSpace(in.Name), strings.TrimSpace(in.Series)
	models.CheckText(v, "name", in.Name, true, 200)
	models.CheckText(v, "series", in.Series, false, 200)
	models.CheckText(v, "description", in.Description, false, 20000)
	if in.Kind == "" {
		in.Kind = string(models.KindExercise)
	}
	models.CheckEnum(v, "kind", in.Kind, models.EnumNames(models.Kinds())...)
	var lead *int64
	if in.LeadOrganization != "" {
		lead = nullID(resolveField(tx, v, "lead_organization", "organizations", "code", in.LeadOrganization))
	}
	if len(in.Entries) > models.MaxTemplateEntries {
		v.Add("entries", "at most %d entries (%d given)", models.MaxTemplateEntries, len(in.Entries))
	}
	for i := range in.Entries {
		e := &in.Entries[i]
		f := fmt.Sprintf("entries[%d]", i)
		if e.Kind == "" {
			e.Kind = string(models.KindExercisePhase)
		}
		models.CheckEnum(v, f+".kind", e.Kind, models.EnumNames(models.Kinds())...)
		if models.Kind(e.Kind) == models.KindExercise {
			v.Add(f+".kind", "an entry is a phase or event of the exercise, not another exercise")
		}
		models.CheckText(v, f+".title", e.Title, true, 200)
		if p, err := isoduration.ParsePeriod(e.Offset); err != nil {
			v.Add(f+".offset", "want an ISO 8601 duration from the exercise's start, such as -P9M or P1M: %v", err)
		} else {
			e.Offset = p.String()
		}
		if p, err := isoduration.ParsePeriod(e.Duration); err != nil || p.Negative || p.IsZero() {
			v.Add(f+".duration", "want a positive ISO 8601 duration such as P3D or PT4H")
		} else {
			e.Duration = p.String()
		}
		if e.LeadOrganization != "" {
			resolveField(tx, v, f+".lead_organization", "organizations", "code", e.LeadOrganization)
		}
		for j, p := range e.Participants {
			pf := fmt.Sprintf("%s.participants[%d]", f, j)
			ref, ok := participantTables[p.Type]
			switch {
			case !ok:
				v.Add(pf+".type", "want person, body or organization")
			case p.IDOrCode == "":
				v.Add(pf+".id_or_code", "is required")
			default:
				resolveField(tx, v, pf+".id_or_code", ref[0], ref[1], p.IDOrCode)
			}
			if p.Role != "" {
				models.CheckEnum(v, pf+".role", p.Role, models.EnumNames(models.ParticipantRoles())...)
			}
		}
		if e.Participants == nil {
			e.Participants = []models.ParticipantInput{}
		}
	}
	if in.Entries == nil {
		in.Entries = []models.TemplateEntry{}
	}
	return lead, v.OrNil()
}

// CreateExerciseTemplate adds a template (administrators).
func (s *Store) CreateExerciseTemplate(ctx context.Context, a models.Actor, in models.ExerciseTemplateInput) (*models.ExerciseTemplate, error) {
	var out *models.ExerciseTemplate
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := a.RequireAdmin(); err != nil {
			return err
		}
		lead, err := validateExerciseTemplateInput(&in, tx)
		if err != nil {
			return err
		}
		now := s.now()
		row := exerciseTemplateRow{Name: in.Name, Series: in.Series, Kind: in.Kind, Description: in.Description,
			LeadOrganizationID: lead, Entries: in.Entries, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return uniqueErr(err, "name", in.Name)
		}
		if out, err = templateView(tx, &row); err != nil {
			return err
		}
		return s.audit(tx, a, "create", "exercise_template", row.ID, nil, out.Input(), "")
	})
	return out, err
}

// UpdateExerciseTemplate replaces the writable fields of a template.
func (s *Store) UpdateExerciseTemplate(ctx context.Context, a models.Actor, id int64, ifVersion int, in models.ExerciseTemplateInput) (*models.ExerciseTemplate, error) {
	var out *models.ExerciseTemplate
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := a.RequireAdmin(); err != nil {
			return err
		}
		var row exerciseTemplateRow
		if err := loadForUpdate(tx, &row, id, ifVersion); err != nil {
			return err
		}
		before, err := templateView(tx, &row)
		if err != nil {
			return err
		}
		lead, err := validateExerciseTemplateInput(&in, tx)
		if err != nil {
			return err
		}
		row.Name, row.Series, row.Kind, row.Description = in.Name, in.Series, in.Kind, in.Description
		row.LeadOrganizationID, row.Entries = lead, in.Entries
		row.Version++
		row.UpdatedAt = s.now()
		if err := tx.Save(&row).Error; err != nil {
			return uniqueErr(err, "name", in.Name)
		}
		if out, err = templateView(tx, &row); err != nil {
			return err
		}
		return s.audit(tx, a, "update", "exercise_template", row.ID, before.Input(), out.Input(), "")
	})
	return out, err
}

// DeleteExerciseTemplate removes a template; activities made from it stay.
func (s *Store) DeleteExerciseTemplate(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := a.RequireAdmin(); err != nil {
			return err
		}
		var row exerciseTemplateRow
		if err := loadForUpdate(tx, &row, id, ifVersion); err != nil {
			return err
		}
		before, err := templateView(tx, &row)
		if err != nil {
			return err
		}
		if err := tx.Delete(&row).Error; err != nil {
			return fmt.Errorf("delete exercise template: %w", err)
		}
		return s.audit(tx, a, "delete", "exercise_template", id, before.Input(), nil, "")
	})
}

// GetExerciseTemplate returns one template by id or name. Templates hold
// no activity, so everyone who may read may see them.
func (s *Store) GetExerciseTemplate(ctx context.Context, ref models.Ref) (*models.ExerciseTemplate, error) {
	db := s.db.WithContext(ctx)
	row, err := getByRef[exerciseTemplateRow](db, "exercise_templates", "name", ref)
	if err != nil {
		return nil, err
	}
	return templateView(db, row)
}

// ListExerciseTemplates lists templates by id.
func (s *Store) ListExerciseTemplates(ctx context.Context, f models.ExerciseTemplateFilter) (models.Page[models.ExerciseTemplate], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&exerciseTemplateRow{})
	if f.Series != "" {
		q = q.Where("series = ?", f.Series)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	rows, err := paginate(q, "id", f.ListOptions, func(r exerciseTemplateRow) int64 { return r.ID })
	out := models.Page[models.ExerciseTemplate]{Items: []models.ExerciseTemplate{}, NextCursor: rows.NextCursor, Total: rows.Total}
	if err != nil {
		return out, fmt.Errorf("list exercise templates: %w", err)
	}
	for i := range rows.Items {
		v, err := templateView(db, &rows.Items[i])
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, *v)
	}
	return out, nil
}

// templateView turns a row into its API form.
func templateView(db *gorm.DB, r *exerciseTemplateRow) (*models.ExerciseTemplate, error) {
	v := &models.ExerciseTemplate{ID: r.ID, Name: r.Name, Series: r.Series, Kind: r.Kind, Description: r.Description,
		Entries: r.Entries, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if v.Entries == nil {
		v.Entries = []models.TemplateEntry{}
	}
	if r.LeadOrganizationID != nil {
		codes, err := orgCodes(db)
		if err != nil {
			return nil, fmt.Errorf("load organisation codes: %w", err)
		}
		v.LeadOrganization = codes[*r.LeadOrganizationID]
	}
	return v, nil
}
