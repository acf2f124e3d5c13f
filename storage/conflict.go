package storage

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// evaluate runs the pure rules over the draft's neighbourhood, read for
// this draft alone, and describes the result for actor a.
func (s *Store) evaluate(tx *gorm.DB, a models.Actor, d *draft) (models.CheckReport, error) {
	return s.evaluateIn(tx, a, d, storeReads{})
}

// surroundings is where a check reads what lies around its draft: the
// database, for a single booking (storeReads); or what was read once for
// many drafts, the deconfliction agenda's window (neighbourhood) or an
// import's batch of new events (importAround).
type surroundings interface {
	// nearby reads the occupancy of the claimed resources overlapping
	// [from, to), less the rows of activity exclude, and whether external
	// calendars and blackouts need reading: in one statement from the
	// database.
	nearby(tx *gorm.DB, claims []planning.Claim, from, to time.Time, exclude int64, kind string) (nearby, error)
	// blackoutsFor is the blackouts of orgs overlapping [from, to), read
	// only when nearby said some may apply.
	blackoutsFor(tx *gorm.DB, orgs []int64, from, to time.Time) ([]planning.Blackout, error)
	// describe names the conflicts found for viewer v.
	describe(tx *gorm.DB, v models.Viewer, found []planning.Conflict, d *draft) ([]models.ConflictView, error)
}

// storeReads reads a single draft's surroundings from the database.
type storeReads struct{}

func (storeReads) nearby(tx *gorm.DB, claims []planning.Claim, from, to time.Time, exclude int64, kind string) (nearby, error) {
	return readNearby(tx, claims, from, to, exclude, kind, true)
}

func (storeReads) blackoutsFor(tx *gorm.DB, orgs []int64, from, to time.Time) ([]planning.Blackout, error) {
	return loadBlackouts(tx, orgs, from, to)
}

func (storeReads) describe(tx *gorm.DB, v models.Viewer, found []planning.Conflict, d *draft) ([]models.ConflictView, error) {
	return describeConflicts(tx, v, found, d)
}

// evaluateIn is evaluate with the draft's surroundings read through
// around: the one check of a booking, of the deconfliction agenda and of
// an import's new events.
func (s *Store) evaluateIn(tx *gorm.DB, a models.Actor, d *draft, around surroundings) (models.CheckReport, error) {
	pad := s.planning.Rules.Buffer
	for _, c := range d.claims {
		if c.Buffer > pad {
			pad = c.Buffer
		}
	}
	report := models.CheckReport{Conflicts: []models.ConflictView{}, Warnings: []models.ConflictView{}}
	from, to, ok := span(d.occurrences, pad)
	if !ok || models.Status(d.row.Status) == models.StatusCancelled {
		return report, nil
	}
	near, err := around.nearby(tx, d.claims, from, to, d.row.ID, d.row.Kind)
	if err != nil {
		return report, err
	}
	busy := near.busy
	claimed := claimsByType(d.claims)
	var subscriptions []models.ExternalCalendar
	if near.subscribed {
		var external []planning.Busy
		if external, subscriptions, err = loadExternalBusy(tx, claimed, from, to); err != nil {
			return report, err
		}
		busy = append(busy, external...)
	}
	var blackouts []planning.Blackout
	if near.blackedOut {
		if blackouts, err = around.blackoutsFor(tx, claimed[string(planning.ResourceOrganization)], from, to); err != nil {
			return report, err
		}
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
	if len(found) > 0 {
		views, err := around.describe(tx, a.Viewer(), found, d)
		if err != nil {
			return report, err
		}
		fileFound(&report, found, views)
	}
	if len(subscriptions) > 0 {
		stale, err := staleWarnings(newNameCache(tx), subscriptions, s.now())
		if err != nil {
			return report, err
		}
		report.Warnings = append(report.Warnings, stale...)
	}
	return report, nil
}

// describeConflicts resolves ids to names and hides what v may not see.
func describeConflicts(tx *gorm.DB, v models.Viewer, found []planning.Conflict, d *draft) ([]models.ConflictView, error) {
	names := newNameCache(tx)
	names.add(d.named)
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

// otherIDs lists, once each, the other activities of conflicts whose
// summary is not yet in known.
func otherIDs(found []planning.Conflict, known map[int64]bool) []int64 {
	var ids []int64
	for _, c := range found {
		if c.OtherActivityID != 0 && c.Rule != planning.RuleExternalBusy && !known[c.OtherActivityID] {
			known[c.OtherActivityID] = true
			ids = append(ids, c.OtherActivityID)
		}
	}
	return ids
}

// describeWith is describeConflicts with the names and the other
// activities' summaries already loaded (a bulk write loads them once for
// many activities).
func describeWith(tx *gorm.DB, v models.Viewer, found []planning.Conflict, d *draft, names *nameCache, others map[int64]*summary) ([]models.ConflictView, error) {
	// Times speak in the activity's own zone, as its start and end do.
	loc := zoneOfDraft(d)
	out := make([]models.ConflictView, len(found))
	for i, c := range found {
		res, err := names.resource(string(c.Resource.Type), c.Resource.ID)
		if err != nil {
			return nil, err
		}
		cv := models.ConflictView{
			Rule: c.Rule, Severity: string(c.Severity), Resource: res,
			Occurrence: models.SpanView{Start: c.Occurrence.Start.In(loc), End: c.Occurrence.End.In(loc)},
			Overlap:    models.SpanView{Start: c.Overlap.Start.In(loc), End: c.Overlap.End.In(loc)},
		}
		st, en := c.Other.Start.In(loc), c.Other.End.In(loc)
		switch other, known := others[c.OtherActivityID]; {
		case c.Rule == planning.RuleExternalBusy:
			var cal models.ExternalCalendar
			if err := tx.Select("id", "name").First(&cal, c.OtherActivityID).Error; err != nil {
				return nil, fmt.Errorf("describe with: %w", err)
			}
			cv.Other = models.OtherView{ExternalCalendarID: cal.ID, Title: cal.Name, Start: &st, End: &en}
		case c.BlackoutID != 0:
			var b models.Blackout
			if err := tx.First(&b, c.BlackoutID).Error; err != nil {
				return nil, fmt.Errorf("describe with: %w", err)
			}
			bs, be := b.StartAt.In(loc), b.EndAt.In(loc)
			cv.Other = models.OtherView{BlackoutID: b.ID, Title: b.Title, Start: &bs, End: &be}
		case c.OtherActivityID == 0 || c.OtherActivityID == d.row.ID:
			// The activity's own occurrences overlapping each other.
			cv.Other = models.OtherView{ActivityID: d.row.ID, Title: d.row.Title, Start: &st, End: &en}
		case !known || !v.CanSee(other.restricted, other.allowed):
			cv.Other = models.OtherView{Restricted: true}
		default:
			cv.Other = models.OtherView{ActivityID: other.id, Title: other.title, Start: &st, End: &en}
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
	return loadSummaryIDs(tx, otherIDs(found, map[int64]bool{}))
}

// loadSummaryIDs reads the summaries of the activities ids, with who may
// see them, in one statement per chunk (a join rather than a second
// query: on SQLite every statement is parsed again on each execution);
// vanished ones are absent (unknown, hence restricted).
func loadSummaryIDs(tx *gorm.DB, ids []int64) (map[int64]*summary, error) {
	out := make(map[int64]*summary, len(ids))
	for _, id := range ids {
		out[id] = &summary{id: id}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		if err := readSummaries(tx, chunk, out); err != nil {
			return nil, err
		}
	}
	for id, s := range out {
		if s.title == "" && !s.restricted {
			delete(out, id) // vanished: treat as unknown, hence restricted
		}
	}
	return out, nil
}

// readSummaries fills out's summaries of the activities ids: title,
// restriction and the organisations allowed to see them.
func readSummaries(tx *gorm.DB, ids []int64, out map[int64]*summary) error {
	rows, err := tx.Raw("SELECT a.id, a.title, a.restricted, v.organization_id FROM activities a"+
		" LEFT JOIN activity_visibility v ON v.activity_id = a.id WHERE a.id IN ?", ids).Rows()
	if err != nil {
		return fmt.Errorf("load summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id         int64
			title      string
			restricted bool
			org        sql.NullInt64
		)
		if err := rows.Scan(&id, &title, &restricted, &org); err != nil {
			return fmt.Errorf("load summaries: %w", err)
		}
		s := out[id]
		s.title, s.restricted = title, restricted
		if org.Valid {
			s.allowed = append(s.allowed, org.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load summaries: %w", err)
	}
	return nil
}

// fileFound files the described conflicts found (views[i] describes
// found[i]) into report: hard ones refuse, soft ones warn.
func fileFound(report *models.CheckReport, found []planning.Conflict, views []models.ConflictView) {
	for i, c := range found {
		if c.Hard() {
			report.Conflicts = append(report.Conflicts, views[i])
		} else {
			report.Warnings = append(report.Warnings, views[i])
		}
	}
}
