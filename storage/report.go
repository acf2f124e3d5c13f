package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// reportBase is the query of the occurrences in [from, to) of live,
// uncancelled activities v may see.
func reportBase(db *gorm.DB, v models.Viewer, from, to time.Time) (*gorm.DB, error) {
	longest, err := longestOccurrence(db)
	if err != nil {
		return nil, fmt.Errorf("load the longest occurrence: %w", err)
	}
	return db.Table("occurrences o").Joins("JOIN activities ON activities.id = o.activity_id").
		Where("o.start_s >= ? AND o.start_s < ? AND o.end_s > ?", from.Unix()-longest, to.Unix(), from.Unix()).
		Where("activities.deleted_at IS NULL AND activities.status <> ?", models.StatusCancelled).
		Scopes(visibleActivities(v)), nil
}

// ReportCrossBriefings counts the cross-briefings a may see that start in
// [f.From, f.To): each occurrence once per body in its audience (a
// cross-briefing without an audience body counts under host body "").
func (s *Store) ReportCrossBriefings(ctx context.Context, a models.Actor, f models.ReportFilter) (*models.CrossBriefingReport, error) {
	loc, err := f.Validate(false)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	base, err := reportBase(db, a.Viewer(), f.From, f.To)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ActivityID int64
		StartS     int64
		Lead       string
		Host       *string
		HostOrg    *string
	}
	if err := base.Joins("JOIN organizations lead ON lead.id = activities.lead_organization_id").
		Joins("LEFT JOIN participants pb ON pb.activity_id = activities.id AND pb.type = 'body' AND pb.role = ?", models.RoleAudience).
		Joins("LEFT JOIN bodies b ON b.id = pb.ref_id").
		Joins("LEFT JOIN organizations host ON host.id = b.organization_id").
		Where("activities.kind = ? AND o.start_s >= ?", models.KindCrossBriefing, f.From.Unix()).
		Select("o.activity_id, o.start_s, lead.code AS lead, b.code AS host, host.code AS host_org").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the cross-briefings: %w", err)
	}
	out := &models.CrossBriefingReport{From: f.From, To: f.To, TimeZone: f.TimeZone, Rows: []models.CrossBriefingRow{}}
	type key struct {
		year                int
		host, hostOrg, lead string
	}
	counts := map[key]int64{}
	briefings := map[[2]int64]bool{}
	for _, r := range rows {
		k := key{year: time.Unix(r.StartS, 0).In(loc).Year(), lead: r.Lead}
		if r.Host != nil {
			k.host = *r.Host
		}
		if r.HostOrg != nil {
			k.hostOrg = *r.HostOrg
		}
		counts[k]++
		briefings[[2]int64{r.ActivityID, r.StartS}] = true
	}
	out.Total = int64(len(briefings))
	for k, n := range counts {
		out.Rows = append(out.Rows, models.CrossBriefingRow{Year: k.year, HostBody: k.host, HostOrganization: k.hostOrg, BriefingOrganization: k.lead, Count: n})
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		x, y := out.Rows[i], out.Rows[j]
		if x.Year != y.Year {
			return x.Year < y.Year
		}
		if x.HostBody != y.HostBody {
			return x.HostBody < y.HostBody
		}
		return x.BriefingOrganization < y.BriefingOrganization
	})
	return out, nil
}

// ReportExerciseParticipation lists, for the exercises a may see with an
// occurrence in [f.From, f.To), every participant of the exercise and of
// each of its phases a may see, with the participant's organisation.
func (s *Store) ReportExerciseParticipation(ctx context.Context, a models.Actor, f models.ReportFilter) (*models.ParticipationReport, error) {
	if _, err := f.Validate(false); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	base, err := reportBase(db, a.Viewer(), f.From, f.To)
	if err != nil {
		return nil, err
	}
	var exercises []int64
	if err := base.Where("activities.kind = ?", models.KindExercise).Distinct("activities.id").Order("activities.id").Pluck("activities.id", &exercises).Error; err != nil {
		return nil, fmt.Errorf("load the exercises of the report: %w", err)
	}
	out := &models.ParticipationReport{From: f.From, To: f.To, Rows: []models.ParticipationRow{}}
	if len(exercises) == 0 {
		return out, nil
	}
	var strandIDs []int64
	if err := db.Table("activities").Scopes(visibleActivities(a.Viewer())).
		Where("activities.deleted_at IS NULL AND (activities.id IN ? OR activities.parent_id IN ?)", exercises, exercises).
		Order("activities.id").Pluck("activities.id", &strandIDs).Error; err != nil {
		return nil, fmt.Errorf("load the strands of the report's exercises: %w", err)
	}
	views, err := loadViews(db, strandIDs)
	if err != nil {
		return nil, fmt.Errorf("load the strands of the report's exercises: %w", err)
	}
	byID := map[int64]*models.ActivityView{}
	for i := range views {
		byID[views[i].ID] = &views[i]
	}
	orgOf, err := participantOrganizations(db)
	if err != nil {
		return nil, err
	}
	for _, eid := range exercises {
		ex := byID[eid]
		if ex == nil {
			continue
		}
		for _, sid := range strandIDs {
			st := byID[sid]
			if st.ID != eid && (st.Parent == nil || *st.Parent != eid) {
				continue
			}
			for _, p := range st.Participants {
				out.Rows = append(out.Rows, models.ParticipationRow{ExerciseID: eid, Exercise: ex.Title, StrandID: st.ID, Strand: st.Title, StrandKind: st.Kind,
					ParticipantType: p.Type, Participant: p.IDOrCode, Organization: orgOf[p.Type+":"+strconv.FormatInt(p.ID, 10)], Role: p.Role, RSVP: p.RSVP})
			}
		}
	}
	return out, nil
}

// participantOrganizations maps "type:id" of every person, body and
// organisation to its organisation's code.
func participantOrganizations(db *gorm.DB) (map[string]string, error) {
	codes, err := orgCodes(db)
	if err != nil {
		return nil, fmt.Errorf("load organisation codes: %w", err)
	}
	out := map[string]string{}
	for id, c := range codes {
		out["organization:"+strconv.FormatInt(id, 10)] = c
	}
	for typ, table := range map[string]string{"person": "people", "body": "bodies"} {
		var rows []struct {
			ID             int64
			OrganizationID *int64
		}
		if err := db.Table(table).Select("id, organization_id").Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("load the organisations of %s: %w", table, err)
		}
		for _, r := range rows {
			if r.OrganizationID != nil {
				out[typ+":"+strconv.FormatInt(r.ID, 10)] = codes[*r.OrganizationID]
			}
		}
	}
	return out, nil
}
