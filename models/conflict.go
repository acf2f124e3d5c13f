package models

import (
	"time"

	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// SpanView is a time span in answers.
type SpanView struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// OtherView is what a conflict says about the activity (or blackout) it
// collides with. For an activity the actor may not see, only Restricted is
// set: the slot is busy, and nothing else is revealed.
type OtherView struct {
	ActivityID int64 `json:"activity_id,omitempty"`
	BlackoutID int64 `json:"blackout_id,omitempty"`
	// ExternalCalendarID names the subscription of an external_busy or
	// external_stale item.
	ExternalCalendarID int64      `json:"external_calendar_id,omitempty"`
	Title              string     `json:"title,omitempty"`
	Start              *time.Time `json:"start,omitempty"`
	End                *time.Time `json:"end,omitempty"`
	Restricted         bool       `json:"restricted,omitempty"`
	// Note says, for a proposal_hold, who proposed the other activity and
	// whom it awaits ("proposed by EU, awaiting NATO").
	Note string `json:"note,omitempty"`
}

// ConflictView is one conflict as the API reports it.
type ConflictView struct {
	Rule       string       `json:"rule"`
	Severity   string       `json:"severity"`
	Resource   ResourceView `json:"resource"`
	Occurrence SpanView     `json:"occurrence"`
	Other      OtherView    `json:"other"`
	Overlap    SpanView     `json:"overlap"`
}

// CheckReport is the answer of a conflict check: hard conflicts block a
// booking, warnings do not.
type CheckReport struct {
	Conflicts []ConflictView `json:"conflicts"`
	Warnings  []ConflictView `json:"warnings"`
}

// evaluate runs the pure rules over the draft's neighbourhood and
// describes the result for actor a.
func (s *Store) evaluate(tx *gorm.DB, a Actor, d *draft) (CheckReport, error) {
	pad := s.planning.Rules.Buffer
	for _, c := range d.claims {
		if c.Buffer > pad {
			pad = c.Buffer
		}
	}
	report := CheckReport{Conflicts: []ConflictView{}, Warnings: []ConflictView{}}
	from, to, ok := span(d.occurrences, pad)
	if !ok || Status(d.row.Status) == StatusCancelled {
		return report, nil
	}
	busy, err := loadBusy(tx, d.claims, from, to, d.row.ID, d.row.Kind)
	if err != nil {
		return report, err
	}
	external, subscriptions, err := loadExternalBusy(tx, claimsByType(d.claims), from, to)
	if err != nil {
		return report, err
	}
	busy = append(busy, external...)
	var orgs []int64
	for _, c := range d.claims {
		if c.Resource.Type == "organization" {
			orgs = append(orgs, c.Resource.ID)
		}
	}
	blackouts, err := loadBlackouts(tx, orgs, from, to)
	if err != nil {
		return report, err
	}
	coordinated := d.coordinated
	if coordinated == nil {
		var err error
		if coordinated, err = coordinatedWith(tx, d.row); err != nil {
			return report, err
		}
	}
	p := planning.Proposal{ActivityID: d.row.ID, Kind: d.row.Kind, Status: d.row.Status, Occurrences: d.occurrences, Claims: d.claims, Coordinated: coordinated}
	found := d.answers.filter(planning.Check(p, busy, blackouts, s.planning.Rules), d.occurrences)
	views, err := describeConflicts(tx, a.Viewer(), found, d)
	if err != nil {
		return report, err
	}
	for i, c := range found {
		if c.Hard() {
			report.Conflicts = append(report.Conflicts, views[i])
		} else {
			report.Warnings = append(report.Warnings, views[i])
		}
	}
	stale, err := staleWarnings(newNameCache(tx), subscriptions, s.now())
	if err != nil {
		return report, err
	}
	report.Warnings = append(report.Warnings, stale...)
	return report, nil
}

// describeConflicts resolves ids to names and hides what v may not see.
func describeConflicts(tx *gorm.DB, v Viewer, found []planning.Conflict, d *draft) ([]ConflictView, error) {
	names := newNameCache(tx)
	refs := make([]planning.ResourceRef, len(found))
	for i, c := range found {
		refs[i] = c.Resource
	}
	if err := names.prefetch(refs); err != nil {
		return nil, err
	}
	others, err := loadSummaries(tx, found)
	if err != nil {
		return nil, err
	}
	return describeWith(tx, v, found, d, names, others)
}

// describeWith is describeConflicts with the names and the other
// activities' summaries already loaded (a bulk write loads them once for
// many activities).
func describeWith(tx *gorm.DB, v Viewer, found []planning.Conflict, d *draft, names *nameCache, others map[int64]*summary) ([]ConflictView, error) {
	// Times speak in the activity's own zone, as its start and end do.
	loc := time.UTC
	if l, err := time.LoadLocation(d.row.TimeZone); err == nil && d.row.TimeZone != "" {
		loc = l
	}
	out := make([]ConflictView, len(found))
	for i, c := range found {
		res, err := names.resource(string(c.Resource.Type), c.Resource.ID)
		if err != nil {
			return nil, err
		}
		cv := ConflictView{
			Rule: c.Rule, Severity: string(c.Severity), Resource: res,
			Occurrence: SpanView{c.Occurrence.Start.In(loc), c.Occurrence.End.In(loc)},
			Overlap:    SpanView{c.Overlap.Start.In(loc), c.Overlap.End.In(loc)},
		}
		st, en := c.Other.Start.In(loc), c.Other.End.In(loc)
		switch other, known := others[c.OtherActivityID]; {
		case c.Rule == planning.RuleExternalBusy:
			var cal ExternalCalendar
			if err := tx.Select("id", "name").First(&cal, c.OtherActivityID).Error; err != nil {
				return nil, err
			}
			cv.Other = OtherView{ExternalCalendarID: cal.ID, Title: cal.Name, Start: &st, End: &en}
		case c.BlackoutID != 0:
			var b Blackout
			if err := tx.First(&b, c.BlackoutID).Error; err != nil {
				return nil, err
			}
			bs, be := b.StartAt.In(loc), b.EndAt.In(loc)
			cv.Other = OtherView{BlackoutID: b.ID, Title: b.Title, Start: &bs, End: &be}
		case c.OtherActivityID == 0 || c.OtherActivityID == d.row.ID:
			// The activity's own occurrences overlapping each other.
			cv.Other = OtherView{ActivityID: d.row.ID, Title: d.row.Title, Start: &st, End: &en}
		case !known || !v.CanSee(other.restricted, other.allowed):
			cv.Other = OtherView{Restricted: true}
		default:
			cv.Other = OtherView{ActivityID: other.id, Title: other.title, Start: &st, End: &en}
			if c.Rule == planning.RuleProposalHold {
				note, err := proposalNote(tx, other.id)
				if err != nil {
					return nil, err
				}
				cv.Other.Note = note
			}
		}
		out[i] = cv
	}
	return out, nil
}

// summary is what a conflict needs of the other activity: its title and
// who may see it.
type summary struct {
	id         int64
	title      string
	restricted bool
	allowed    []int64
}

// loadSummaries reads the other activities of conflicts in two queries.
func loadSummaries(tx *gorm.DB, found []planning.Conflict) (map[int64]*summary, error) {
	out := map[int64]*summary{}
	var ids []int64
	for _, c := range found {
		if c.OtherActivityID != 0 && c.Rule != planning.RuleExternalBusy && out[c.OtherActivityID] == nil {
			out[c.OtherActivityID] = &summary{id: c.OtherActivityID}
			ids = append(ids, c.OtherActivityID)
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []struct {
			ID         int64
			Title      string
			Restricted bool
		}
		if err := tx.Table("activities").Select("id, title, restricted").Where("id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID].title, out[r.ID].restricted = r.Title, r.Restricted
		}
		var vis []activityVisibility
		if err := tx.Where("activity_id IN ?", chunk).Find(&vis).Error; err != nil {
			return nil, err
		}
		for _, v := range vis {
			out[v.ActivityID].allowed = append(out[v.ActivityID].allowed, v.OrganizationID)
		}
	}
	for id, s := range out {
		if s.title == "" && !s.restricted {
			delete(out, id) // vanished: treat as unknown, hence restricted
		}
	}
	return out, nil
}
