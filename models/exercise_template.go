package models

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/isoduration"
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

// ExerciseTemplateFilter narrows the template list.
type ExerciseTemplateFilter struct {
	Series string
	Kind   string
	ListOptions
}

// ChildInputs derives the children of an exercise from a template: each
// entry placed at its offset from the exercise's start on the calendar of
// the exercise's zone, with the exercise's zone, status, visibility, areas
// and series, the entry's lead (else the exercise's) and participants.
func (t *ExerciseTemplate) ChildInputs(root ActivityInput, parent int64) ([]ActivityInput, error) {
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
			Visibility: root.Visibility, Areas: root.Areas, Series: root.Series, Parent: Ref(strconv.FormatInt(parent, 10)),
		})
	}
	return out, nil
}
