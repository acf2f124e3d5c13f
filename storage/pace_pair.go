package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// pacePairRow is a stored PACE pair: two exercises of two organisations
// run in parallel and coordinated for a year, one organisation leading.
type pacePairRow struct {
	ID                 int64     `gorm:"primaryKey" json:"id"`
	Year               int       `json:"year"`
	FirstActivityID    int64     `json:"first_activity_id"`
	SecondActivityID   int64     `json:"second_activity_id"`
	LeadOrganizationID int64     `json:"lead_organization_id"`
	Notes              string    `json:"notes"`
	Version            int       `json:"version"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

func (pacePairRow) TableName() string { return "pace_pairs" }

func (r *pacePairRow) RowVersion() int { return r.Version }

type pacePairMeeting struct {
	PairID     int64
	ActivityID int64
}

func (pacePairMeeting) TableName() string { return "pace_pair_meetings" }

// exerciseOf is what a pair needs of one of its exercises.
type exerciseOf struct {
	ID                 int64
	Title              string
	Kind               string
	LeadOrganizationID int64
}

// loadPairExercises reads the two exercises a pair names as the actor
// sees them: one it may not see, or that was deleted, is missing.
func loadPairExercises(tx *gorm.DB, v models.Viewer, ids []int64) (map[int64]exerciseOf, error) {
	var rows []exerciseOf
	if err := tx.Table("activities").Scopes(visibleActivities(v)).Select("activities.id, activities.title, activities.kind, activities.lead_organization_id").
		Where("activities.id IN ? AND activities.deleted_at IS NULL", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the exercises of a PACE pair: %w", err)
	}
	out := make(map[int64]exerciseOf, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// CreatePacePair links two exercises of two organisations as a pair.
func (s *Store) CreatePacePair(ctx context.Context, a models.Actor, in models.PacePairInput) (*models.PacePair, error) {
	var id int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		v := &models.ValidationError{}
		if in.Year < 1900 || in.Year > 9999 {
			v.Add("year", "want a year such as 2022")
		}
		models.CheckText(v, "notes", in.Notes, false, 20000)
		lead := int64(0)
		if in.LeadOrganization == "" {
			v.Add("lead_organization", "is required: the organisation leading the pair that year")
		} else {
			lead = resolveField(tx, v, "lead_organization", "organizations", "code", in.LeadOrganization)
		}
		if len(in.Exercises) != 2 || in.Exercises[0] == in.Exercises[1] {
			v.Add("exercises", "name exactly two different exercises")
			return v
		}
		found, err := loadPairExercises(tx, a.Viewer(), in.Exercises)
		if err != nil {
			return err
		}
		for i, eid := range in.Exercises {
			f := fmt.Sprintf("exercises[%d]", i)
			switch e, ok := found[eid]; {
			case !ok:
				v.Add(f, "no activity with id %d", eid)
			case models.Kind(e.Kind) != models.KindExercise:
				v.Add(f, "activity %d is a %s, not an exercise", eid, e.Kind)
			}
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		x, y := found[in.Exercises[0]], found[in.Exercises[1]]
		if x.LeadOrganizationID == y.LeadOrganizationID {
			v.Add("exercises", "a pair joins exercises of two organisations; both are led by the same one")
		}
		if lead != 0 && lead != x.LeadOrganizationID && lead != y.LeadOrganizationID {
			v.Add("lead_organization", "must lead one of the two exercises")
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := a.CanManagePair(x.LeadOrganizationID, y.LeadOrganizationID); err != nil {
			return err
		}
		now := s.now()
		row := pacePairRow{Year: in.Year, FirstActivityID: min(x.ID, y.ID), SecondActivityID: max(x.ID, y.ID), LeadOrganizationID: lead,
			Notes: in.Notes, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return uniqueErr(err, "exercises", fmt.Sprintf("%d and %d", row.FirstActivityID, row.SecondActivityID))
		}
		id = row.ID
		return s.audit(tx, a, "create", "pace_pair", row.ID, nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetPacePair(ctx, a, id)
}

// GetPacePair returns a pair the actor may see: one who cannot see both
// exercises does not learn that the pair exists.
func (s *Store) GetPacePair(ctx context.Context, a models.Actor, id int64) (*models.PacePair, error) {
	db := s.db.WithContext(ctx)
	var row pacePairRow
	if err := db.Where("id = ?", id).Limit(1).Find(&row).Error; err != nil {
		return nil, fmt.Errorf("load PACE pair %d: %w", id, err)
	}
	if row.ID == 0 {
		return nil, models.ErrNotFound
	}
	views, err := pairViews(db, a.Viewer(), []pacePairRow{row})
	if err != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, models.ErrNotFound
	}
	return &views[0], nil
}

// ListPacePairs lists, by id, the pairs whose two exercises the actor may
// see.
func (s *Store) ListPacePairs(ctx context.Context, a models.Actor, f models.PacePairFilter) (models.Page[models.PacePair], error) {
	db := s.db.WithContext(ctx)
	out := models.Page[models.PacePair]{Items: []models.PacePair{}}
	q := db.Model(&pacePairRow{})
	if !a.Viewer().All {
		// Both members visible and live, in SQL, so that counts and
		// pages agree with what is shown.
		for _, col := range []string{"first_activity_id", "second_activity_id"} {
			q = q.Where("EXISTS (?)", visibleLiveActivity(db, a.Viewer(), "pace_pairs."+col))
		}
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.Activity != 0 {
		q = q.Where("(first_activity_id = ? OR second_activity_id = ?)", f.Activity, f.Activity)
	}
	rows, err := paginate(q, "id", f.ListOptions, func(r pacePairRow) int64 { return r.ID })
	if err != nil {
		return out, fmt.Errorf("list PACE pairs: %w", err)
	}
	views, err := pairViews(db, a.Viewer(), rows.Items)
	if err != nil {
		return out, err
	}
	out.Items, out.NextCursor, out.Total = views, rows.NextCursor, rows.Total
	if out.Items == nil {
		out.Items = []models.PacePair{}
	}
	return out, nil
}

// DeletePacePair unlinks a pair; its meetings stay as activities.
func (s *Store) DeletePacePair(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		row, err := s.pairFor(tx, a, id, ifVersion)
		if err != nil {
			return err
		}
		if err := tx.Delete(&pacePairRow{}, id).Error; err != nil {
			return fmt.Errorf("delete PACE pair %d: %w", id, err)
		}
		return s.audit(tx, a, "delete", "pace_pair", id, row, nil, "")
	})
}

// pairFor loads a pair for a change by a, who must see both exercises and
// be allowed to manage the pair.
func (s *Store) pairFor(tx *gorm.DB, a models.Actor, id int64, ifVersion int) (*pacePairRow, error) {
	var row pacePairRow
	if err := loadForUpdate(tx, &row, id, 0); err != nil {
		return nil, err
	}
	found, err := loadPairExercises(tx, a.Viewer(), []int64{row.FirstActivityID, row.SecondActivityID})
	if err != nil {
		return nil, err
	}
	if len(found) != 2 {
		return nil, models.ErrNotFound
	}
	if ifVersion != 0 && row.Version != ifVersion {
		return nil, models.ErrStale
	}
	if err := a.CanManagePair(found[row.FirstActivityID].LeadOrganizationID, found[row.SecondActivityID].LeadOrganizationID); err != nil {
		return nil, err
	}
	return &row, nil
}

// AddPacePairMeeting books a coordination meeting of a pair (checked for
// conflicts like any booking) and links it to the pair in the same
// transaction.
func (s *Store) AddPacePairMeeting(ctx context.Context, a models.Actor, pairID int64, in models.ActivityInput, opts WriteOptions) (*models.WriteResult, error) {
	if _, err := s.GetPacePair(ctx, a, pairID); err != nil {
		return nil, err
	}
	opts.linked = func(tx *gorm.DB, id int64) error {
		row, err := s.pairFor(tx, a, pairID, 0)
		if err != nil {
			return err
		}
		row.Version++
		row.UpdatedAt = s.now()
		if err := tx.Save(row).Error; err != nil {
			return fmt.Errorf("update PACE pair %d: %w", pairID, err)
		}
		if err := tx.Create(&pacePairMeeting{PairID: pairID, ActivityID: id}).Error; err != nil {
			return fmt.Errorf("link meeting %d to PACE pair %d: %w", id, pairID, err)
		}
		return s.audit(tx, a, "add_meeting", "pace_pair", pairID, nil, map[string]int64{"activity_id": id}, "")
	}
	return s.CreateActivity(ctx, a, in, opts)
}

// pairViews describes pairs for v, leaving out those whose exercises v
// cannot both see, and meetings v cannot see.
func pairViews(db *gorm.DB, v models.Viewer, rows []pacePairRow) ([]models.PacePair, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var ids, pairIDs []int64
	for _, r := range rows {
		ids = append(ids, r.FirstActivityID, r.SecondActivityID)
		pairIDs = append(pairIDs, r.ID)
	}
	found, err := loadPairExercises(db, v, ids)
	if err != nil {
		return nil, err
	}
	var meetings []struct {
		PairID     int64
		ActivityID int64
		Title      string
	}
	if err := db.Table("pace_pair_meetings m").Select("m.pair_id, m.activity_id, activities.title").
		Joins("JOIN activities ON activities.id = m.activity_id").Scopes(visibleActivities(v)).
		Where("m.pair_id IN ? AND activities.deleted_at IS NULL", pairIDs).Order("m.activity_id").Scan(&meetings).Error; err != nil {
		return nil, fmt.Errorf("load the meetings of PACE pairs: %w", err)
	}
	codes, err := orgCodes(db)
	if err != nil {
		return nil, fmt.Errorf("load organisation codes: %w", err)
	}
	var out []models.PacePair
	for _, r := range rows {
		x, okx := found[r.FirstActivityID]
		y, oky := found[r.SecondActivityID]
		if !okx || !oky {
			continue
		}
		p := models.PacePair{ID: r.ID, Year: r.Year, LeadOrganization: codes[r.LeadOrganizationID], Notes: r.Notes, Version: r.Version,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Meetings: []models.ActivityRef{},
			Exercises: []models.ActivityRef{{ID: x.ID, Title: x.Title}, {ID: y.ID, Title: y.Title}}}
		for _, m := range meetings {
			if m.PairID == r.ID {
				p.Meetings = append(p.Meetings, models.ActivityRef{ID: m.ActivityID, Title: m.Title})
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// coordinatedWith lists the activities an exercise or exercise phase
// overlaps on purpose, which the planning-overlap rule leaves alone: the
// members of its own exercise (the exercise and all its phases) and those
// of every exercise paired with it for PACE. Other kinds have none.
func coordinatedWith(tx *gorm.DB, row models.Activity) (map[int64]bool, error) {
	if !planning.IsExerciseKind(row.Kind) {
		return nil, nil
	}
	root := row.ID
	if models.Kind(row.Kind) != models.KindExercise {
		root = derefID(row.ParentID)
	}
	if root == 0 {
		return nil, nil
	}
	var pairs []pacePairRow
	if err := tx.Where("first_activity_id = ? OR second_activity_id = ?", root, root).Find(&pairs).Error; err != nil {
		return nil, fmt.Errorf("load the PACE pairs of activity %d: %w", root, err)
	}
	roots := []int64{root}
	for _, p := range pairs {
		roots = append(roots, p.FirstActivityID+p.SecondActivityID-root)
	}
	var members []int64
	if err := tx.Table("activities").Where("id IN ? OR parent_id IN ?", roots, roots).Pluck("id", &members).Error; err != nil {
		return nil, fmt.Errorf("load the members of exercise %d: %w", root, err)
	}
	out := make(map[int64]bool, len(members))
	for _, id := range members {
		out[id] = true
	}
	return out, nil
}

// PacePairMeetingLead is who leads a coordination meeting the actor
// records for a pair: the actor's organisation when it leads one of the
// pair's two exercises, so that either side may call one, else the
// pair's lead for the year.
func (s *Store) PacePairMeetingLead(ctx context.Context, a models.Actor, pairID int64) (models.Ref, error) {
	pr, err := s.GetPacePair(ctx, a, pairID)
	if err != nil {
		return "", err
	}
	if a.OrganizationID == 0 || len(pr.Exercises) == 0 {
		return models.Ref(pr.LeadOrganization), nil
	}
	ids := make([]int64, len(pr.Exercises))
	for i, x := range pr.Exercises {
		ids[i] = x.ID
	}
	var codes []string
	if err := s.db.WithContext(ctx).Table("activities").Joins("JOIN organizations ON organizations.id = activities.lead_organization_id").
		Where("activities.id IN ? AND activities.lead_organization_id = ?", ids, a.OrganizationID).Limit(1).Pluck("organizations.code", &codes).Error; err != nil {
		return "", fmt.Errorf("read the leads of PACE pair %d's exercises: %w", pairID, err)
	}
	if len(codes) > 0 {
		return models.Ref(codes[0]), nil
	}
	return models.Ref(pr.LeadOrganization), nil
}
