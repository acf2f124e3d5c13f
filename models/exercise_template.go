package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"gorm.io/gorm"
)

// MaxTemplateEntries bounds one template: an exercise's life cycle is a
// dozen events, and instantiation checks each one for conflicts in a
// single transaction.
const MaxTemplateEntries = 50

// TemplateEntry is one phase or planning event of an exercise template,
// placed relative to the exercise's start. Offset and Duration are ISO
// 8601 durations that may count months (-P9M, P1M), applied on the
// calendar of the exercise's time zone.
type TemplateEntry struct {
	Kind             string             `json:"kind"`
	Title            string             `json:"title"`
	Offset           string             `json:"offset"`
	Duration         string             `json:"duration"`
	LeadOrganization Ref                `json:"lead_organization,omitempty"`
	Participants     []ParticipantInput `json:"participants"`
}

// TemplateEntries is the JSON column holding a template's entries.
type TemplateEntries []TemplateEntry

// Value encodes the entries as JSON.
func (t TemplateEntries) Value() (driver.Value, error) {
	if t == nil {
		t = TemplateEntries{}
	}
	b, err := json.Marshal([]TemplateEntry(t))
	return string(b), err
}

// Scan decodes the JSON text written by Value.
func (t *TemplateEntries) Scan(src any) error { return scanJSON(src, (*[]TemplateEntry)(t)) }

// exerciseTemplateRow is the stored template.
type exerciseTemplateRow struct {
	ID                 int64 `gorm:"primaryKey"`
	Name               string
	Series             string
	Kind               string
	Description        string
	LeadOrganizationID *int64
	Entries            TemplateEntries `gorm:"type:text"`
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (exerciseTemplateRow) TableName() string { return "exercise_templates" }

func (r *exerciseTemplateRow) version() int { return r.Version }

// ExerciseTemplateInput is the writable form of a template.
type ExerciseTemplateInput struct {
	Name             string          `json:"name"`
	Series           string          `json:"series"`
	Kind             string          `json:"kind"`
	Description      string          `json:"description"`
	LeadOrganization Ref             `json:"lead_organization"`
	Entries          []TemplateEntry `json:"entries"`
}

// ExerciseTemplate is a template as the API shows it.
type ExerciseTemplate struct {
	ID               int64           `json:"id"`
	Name             string          `json:"name"`
	Series           string          `json:"series"`
	Kind             string          `json:"kind"`
	Description      string          `json:"description"`
	LeadOrganization string          `json:"lead_organization"`
	Entries          []TemplateEntry `json:"entries"`
	Version          int             `json:"version"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (t *ExerciseTemplate) Input() ExerciseTemplateInput {
	return ExerciseTemplateInput{Name: t.Name, Series: t.Series, Kind: t.Kind, Description: t.Description,
		LeadOrganization: Ref(t.LeadOrganization), Entries: t.Entries}
}

// validate checks a template and resolves its lead organisation. Entry
// references are resolved here to refuse a misspelt code at once, and
// again at each instantiation (a body may be deleted meanwhile).
func (in *ExerciseTemplateInput) validate(tx *gorm.DB) (*int64, error) {
	v := &ValidationError{}
	in.Name, in.Series = strings.TrimSpace(in.Name), strings.TrimSpace(in.Series)
	checkText(v, "name", in.Name, true, 200)
	checkText(v, "series", in.Series, false, 200)
	checkText(v, "description", in.Description, false, 20000)
	if in.Kind == "" {
		in.Kind = string(KindExercise)
	}
	checkEnum(v, "kind", in.Kind, names(Kinds())...)
	var lead *int64
	if in.LeadOrganization != "" {
		lead = nullID(resolveField(tx, v, "lead_organization", "organizations", "code", in.LeadOrganization))
	}
	if len(in.Entries) > MaxTemplateEntries {
		v.add("entries", "at most %d entries (%d given)", MaxTemplateEntries, len(in.Entries))
	}
	for i := range in.Entries {
		e := &in.Entries[i]
		f := fmt.Sprintf("entries[%d]", i)
		if e.Kind == "" {
			e.Kind = string(KindExercisePhase)
		}
		checkEnum(v, f+".kind", e.Kind, names(Kinds())...)
		if Kind(e.Kind) == KindExercise {
			v.add(f+".kind", "an entry is a phase or event of the exercise, not another exercise")
		}
		checkText(v, f+".title", e.Title, true, 200)
		if p, err := isoduration.ParsePeriod(e.Offset); err != nil {
			v.add(f+".offset", "want an ISO 8601 duration from the exercise's start, such as -P9M or P1M: %v", err)
		} else {
			e.Offset = p.String()
		}
		if p, err := isoduration.ParsePeriod(e.Duration); err != nil || p.Negative || p.IsZero() {
			v.add(f+".duration", "want a positive ISO 8601 duration such as P3D or PT4H")
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
				v.add(pf+".type", "want person, body or organization")
			case p.IDOrCode == "":
				v.add(pf+".id_or_code", "is required")
			default:
				resolveField(tx, v, pf+".id_or_code", ref[0], ref[1], p.IDOrCode)
			}
			if p.Role != "" {
				checkEnum(v, pf+".role", p.Role, names(ParticipantRoles())...)
			}
		}
		if e.Participants == nil {
			e.Participants = []ParticipantInput{}
		}
	}
	if in.Entries == nil {
		in.Entries = []TemplateEntry{}
	}
	return lead, v.orNil()
}

// CreateExerciseTemplate adds a template (administrators).
func (s *Store) CreateExerciseTemplate(ctx context.Context, a Actor, in ExerciseTemplateInput) (*ExerciseTemplate, error) {
	var out *ExerciseTemplate
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := a.requireAdmin(); err != nil {
			return err
		}
		lead, err := in.validate(tx)
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
func (s *Store) UpdateExerciseTemplate(ctx context.Context, a Actor, id int64, ifVersion int, in ExerciseTemplateInput) (*ExerciseTemplate, error) {
	var out *ExerciseTemplate
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := a.requireAdmin(); err != nil {
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
		lead, err := in.validate(tx)
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
func (s *Store) DeleteExerciseTemplate(ctx context.Context, a Actor, id int64, ifVersion int) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := a.requireAdmin(); err != nil {
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
			return err
		}
		return s.audit(tx, a, "delete", "exercise_template", id, before.Input(), nil, "")
	})
}

// GetExerciseTemplate returns one template by id or name. Templates hold
// no activity, so everyone who may read may see them.
func (s *Store) GetExerciseTemplate(ctx context.Context, ref Ref) (*ExerciseTemplate, error) {
	db := s.db.WithContext(ctx)
	row, err := getByRef[exerciseTemplateRow](db, "exercise_templates", "name", ref)
	if err != nil {
		return nil, err
	}
	return templateView(db, row)
}

// ExerciseTemplateFilter narrows the template list.
type ExerciseTemplateFilter struct {
	Series string
	Kind   string
	ListOptions
}

// ListExerciseTemplates lists templates by id.
func (s *Store) ListExerciseTemplates(ctx context.Context, f ExerciseTemplateFilter) (Page[ExerciseTemplate], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&exerciseTemplateRow{})
	if f.Series != "" {
		q = q.Where("series = ?", f.Series)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	rows, err := paginate(q, "id", f.ListOptions, func(r exerciseTemplateRow) int64 { return r.ID })
	out := Page[ExerciseTemplate]{Items: []ExerciseTemplate{}, NextCursor: rows.NextCursor, Total: rows.Total}
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
func templateView(db *gorm.DB, r *exerciseTemplateRow) (*ExerciseTemplate, error) {
	v := &ExerciseTemplate{ID: r.ID, Name: r.Name, Series: r.Series, Kind: r.Kind, Description: r.Description,
		Entries: r.Entries, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if v.Entries == nil {
		v.Entries = []TemplateEntry{}
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

// childInputs derives the children of an exercise from a template: each
// entry placed at its offset from the exercise's start on the calendar of
// the exercise's zone, with the exercise's zone, status, visibility, areas
// and series, the entry's lead (else the exercise's) and participants.
func (t *ExerciseTemplate) childInputs(root ActivityInput, parent int64) ([]ActivityInput, error) {
	loc := time.UTC
	if root.TimeZone != "" {
		l, err := time.LoadLocation(root.TimeZone)
		if err != nil {
			return nil, &ValidationError{Errors: []FieldError{{Field: "timezone", Message: fmt.Sprintf("unknown IANA time zone %q", root.TimeZone)}}}
		}
		loc = l
	}
	start := root.Start.In(loc)
	out := make([]ActivityInput, 0, len(t.Entries))
	for i, e := range t.Entries {
		off, err1 := isoduration.ParsePeriod(e.Offset)
		dur, err2 := isoduration.ParsePeriod(e.Duration)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("template %d entry %d: %w", t.ID, i, err)
		}
		s := off.AddTo(start)
		lead := e.LeadOrganization
		if lead == "" {
			lead = root.LeadOrganization
		}
		out = append(out, ActivityInput{
			Kind: e.Kind, Title: root.Title + " – " + e.Title, Start: s, End: dur.AddTo(s), TimeZone: root.TimeZone,
			Status: root.Status, Format: root.Format, LeadOrganization: lead, Participants: e.Participants,
			Visibility: root.Visibility, Areas: root.Areas, Series: root.Series, Parent: Ref(itoa(parent)),
		})
	}
	return out, nil
}
