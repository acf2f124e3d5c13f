package models

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// ReportGrouping is what an activity report counts by.
type ReportGrouping string

// The groupings of the activity report.
const (
	GroupByArea         ReportGrouping = "area"
	GroupByOrganization ReportGrouping = "organization"
	GroupByKind         ReportGrouping = "kind"
	GroupBySeries       ReportGrouping = "series"
	GroupByBody         ReportGrouping = "body"
	GroupByMonth        ReportGrouping = "month"
	GroupByQuarter      ReportGrouping = "quarter"
)

// ReportGroupings lists the groupings in the order documents show them.
func ReportGroupings() []ReportGrouping {
	return []ReportGrouping{GroupByArea, GroupByOrganization, GroupByKind, GroupBySeries, GroupByBody, GroupByMonth, GroupByQuarter}
}

// maxReportSpan bounds a report's window.
const maxReportSpan = 20 * 366 * 24 * time.Hour

// ReportFilter is the window and grouping of a report.
type ReportFilter struct {
	From, To time.Time
	GroupBy  string
	// TimeZone places occurrences in months and quarters (default UTC).
	TimeZone string
}

func (f *ReportFilter) validate(groupings bool) (*time.Location, error) {
	v := &ValidationError{}
	switch {
	case f.From.IsZero() || f.To.IsZero():
		v.add("from", "from and to are required (RFC 3339)")
	case !f.To.After(f.From):
		v.add("to", "must be after from")
	case f.To.Sub(f.From) > maxReportSpan:
		v.add("to", "a report spans at most twenty years")
	}
	if groupings {
		if f.GroupBy == "" {
			f.GroupBy = string(GroupByKind)
		}
		checkEnum(v, "group_by", f.GroupBy, names(ReportGroupings())...)
	}
	if f.TimeZone == "" {
		f.TimeZone = "UTC"
	}
	checkZone(v, "timezone", f.TimeZone, false)
	if err := v.orNil(); err != nil {
		return nil, err
	}
	return time.LoadLocation(f.TimeZone)
}

// ReportGroup is one line of an activity report: how many activities, and
// how many of their occurrences, fall in the window under one key. An
// activity with two areas counts under both; a recurring one counts once
// as an activity and once per instance as occurrences.
type ReportGroup struct {
	Key         string `json:"key"`
	Activities  int64  `json:"activities"`
	Occurrences int64  `json:"occurrences"`
}

// ActivityReport counts the activities the caller may see that take
// place in a window, grouped.
type ActivityReport struct {
	From        time.Time     `json:"from"`
	To          time.Time     `json:"to"`
	GroupBy     string        `json:"group_by"`
	TimeZone    string        `json:"timezone"`
	Activities  int64         `json:"activities"`
	Occurrences int64         `json:"occurrences"`
	Groups      []ReportGroup `json:"groups"`
}

// reportBase is the query of the occurrences in [from, to) of live,
// uncancelled activities v may see.
func reportBase(db *gorm.DB, v Viewer, from, to time.Time) (*gorm.DB, error) {
	longest, err := longestOccurrence(db)
	if err != nil {
		return nil, fmt.Errorf("load the longest occurrence: %w", err)
	}
	return db.Table("occurrences o").Joins("JOIN activities ON activities.id = o.activity_id").
		Where("o.start_s >= ? AND o.start_s < ? AND o.end_s > ?", from.Unix()-longest, to.Unix(), from.Unix()).
		Where("activities.deleted_at IS NULL AND activities.status <> ?", StatusCancelled).
		Scopes(visibleActivities(v)), nil
}

// reportPerActivity is the query of the live, uncancelled activities v
// may see with occurrences in [from, to), each once with the number of
// those occurrences (oc.c): the occurrences are counted per activity on
// their own index first, so the activity's attributes are read once per
// activity rather than once per occurrence.
func reportPerActivity(db *gorm.DB, v Viewer, from, to time.Time) (*gorm.DB, error) {
	longest, err := longestOccurrence(db)
	if err != nil {
		return nil, fmt.Errorf("load the longest occurrence: %w", err)
	}
	occ := db.Table("occurrences").Select("activity_id, COUNT(*) AS c").
		Where("start_s >= ? AND start_s < ? AND end_s > ?", from.Unix()-longest, to.Unix(), from.Unix()).Group("activity_id")
	return db.Table("(?) oc", occ).Joins("JOIN activities ON activities.id = oc.activity_id").
		Where("activities.deleted_at IS NULL AND activities.status <> ?", StatusCancelled).
		Scopes(visibleActivities(v)), nil
}

// ReportActivities counts, by f.GroupBy, the activities a may see with an
// occurrence overlapping [f.From, f.To): the figures of a progress report.
// Groups are ordered by key.
func (s *Store) ReportActivities(ctx context.Context, a Actor, f ReportFilter) (*ActivityReport, error) {
	loc, err := f.validate(true)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	out := &ActivityReport{From: f.From, To: f.To, GroupBy: f.GroupBy, TimeZone: f.TimeZone, Groups: []ReportGroup{}}
	g := ReportGrouping(f.GroupBy)
	var base *gorm.DB
	switch g {
	case GroupByMonth, GroupByQuarter:
		if base, err = reportBase(db, a.Viewer(), f.From, f.To); err == nil {
			out.Groups, out.Activities, out.Occurrences, err = groupByPeriod(base, g, loc)
		}
	default:
		if base, err = reportPerActivity(db, a.Viewer(), f.From, f.To); err == nil {
			out.Groups, err = groupByColumn(base, g)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("group the report by %s: %w", f.GroupBy, err)
	}
	switch g {
	case GroupByKind, GroupByOrganization, GroupBySeries:
		// Each activity has one key: the groups add up to the totals,
		// and the table is read once.
		for _, x := range out.Groups {
			out.Activities += x.Activities
			out.Occurrences += x.Occurrences
		}
	case GroupByArea, GroupByBody:
		// An activity may have several keys, or none.
		var total struct{ Activities, Occurrences int64 }
		if err := base.Session(&gorm.Session{}).Select("COUNT(*) AS activities, CAST(COALESCE(SUM(oc.c), 0) AS BIGINT) AS occurrences").Scan(&total).Error; err != nil {
			return nil, fmt.Errorf("count the report's activities: %w", err)
		}
		out.Activities, out.Occurrences = total.Activities, total.Occurrences
	}
	return out, nil
}

// groupByColumn counts in SQL by an attribute of the activity, over
// reportPerActivity.
func groupByColumn(base *gorm.DB, g ReportGrouping) ([]ReportGroup, error) {
	q := base.Session(&gorm.Session{})
	var key string
	switch g {
	case GroupByKind:
		key = "activities.kind"
	case GroupBySeries:
		key = "activities.series"
	case GroupByOrganization:
		q, key = q.Joins("JOIN organizations lead ON lead.id = activities.lead_organization_id"), "lead.code"
	case GroupByArea:
		q, key = q.Joins("JOIN activity_areas aa ON aa.activity_id = activities.id"), "aa.area"
	case GroupByBody:
		q, key = q.Joins("JOIN participants pb ON pb.activity_id = activities.id AND pb.type = 'body'").
			Joins("JOIN bodies b ON b.id = pb.ref_id"), "b.code"
	default:
		return nil, fmt.Errorf("unknown grouping %q", g)
	}
	var groups []ReportGroup
	err := q.Select(key + " AS key, COUNT(*) AS activities, CAST(SUM(oc.c) AS BIGINT) AS occurrences").
		Group(key).Order(key).Scan(&groups).Error
	if groups == nil {
		groups = []ReportGroup{}
	}
	return groups, err
}

// groupByPeriod puts each occurrence in the month or quarter of its start
// in loc; an activity counts in every period it has an occurrence in. It
// also returns the totals: distinct activities and all occurrences.
func groupByPeriod(base *gorm.DB, g ReportGrouping, loc *time.Location) ([]ReportGroup, int64, int64, error) {
	rows, err := base.Session(&gorm.Session{}).Select("o.activity_id, o.start_s").Rows()
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	type bucket struct {
		occurrences int64
		activities  map[int64]struct{}
	}
	buckets := map[string]*bucket{}
	all := map[int64]struct{}{}
	var occurrences int64
	for rows.Next() {
		var id, start int64
		if err := rows.Scan(&id, &start); err != nil {
			return nil, 0, 0, err
		}
		occurrences++
		all[id] = struct{}{}
		t := time.Unix(start, 0).In(loc)
		var key string
		if g == GroupByMonth {
			key = t.Format("2006-01")
		} else {
			key = strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
		}
		b := buckets[key]
		if b == nil {
			b = &bucket{activities: map[int64]struct{}{}}
			buckets[key] = b
		}
		b.occurrences++
		b.activities[id] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	out := make([]ReportGroup, 0, len(buckets))
	for k, b := range buckets {
		out = append(out, ReportGroup{Key: k, Activities: int64(len(b.activities)), Occurrences: b.occurrences})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, int64(len(all)), occurrences, nil
}

// CrossBriefingRow counts the cross-briefings one organisation gave to one
// body (its audience) in a year.
type CrossBriefingRow struct {
	Year                 int    `json:"year"`
	HostBody             string `json:"host_body"`
	HostOrganization     string `json:"host_organization"`
	BriefingOrganization string `json:"briefing_organization"`
	Count                int64  `json:"count"`
}

// CrossBriefingReport counts cross-briefings by host body and briefing
// organisation (the lead), per year of their start in the report's zone.
type CrossBriefingReport struct {
	From     time.Time          `json:"from"`
	To       time.Time          `json:"to"`
	TimeZone string             `json:"timezone"`
	Total    int64              `json:"total"`
	Rows     []CrossBriefingRow `json:"rows"`
}

// ReportCrossBriefings counts the cross-briefings a may see that start in
// [f.From, f.To): each occurrence once per body in its audience (a
// cross-briefing without an audience body counts under host body "").
func (s *Store) ReportCrossBriefings(ctx context.Context, a Actor, f ReportFilter) (*CrossBriefingReport, error) {
	loc, err := f.validate(false)
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
		Joins("LEFT JOIN participants pb ON pb.activity_id = activities.id AND pb.type = 'body' AND pb.role = ?", RoleAudience).
		Joins("LEFT JOIN bodies b ON b.id = pb.ref_id").
		Joins("LEFT JOIN organizations host ON host.id = b.organization_id").
		Where("activities.kind = ? AND o.start_s >= ?", KindCrossBriefing, f.From.Unix()).
		Select("o.activity_id, o.start_s, lead.code AS lead, b.code AS host, host.code AS host_org").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the cross-briefings: %w", err)
	}
	out := &CrossBriefingReport{From: f.From, To: f.To, TimeZone: f.TimeZone, Rows: []CrossBriefingRow{}}
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
		out.Rows = append(out.Rows, CrossBriefingRow{Year: k.year, HostBody: k.host, HostOrganization: k.hostOrg, BriefingOrganization: k.lead, Count: n})
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

// ParticipationRow is one participant invited to one strand of an
// exercise: the exercise itself or one of its phases.
type ParticipationRow struct {
	ExerciseID      int64  `json:"exercise_id"`
	Exercise        string `json:"exercise"`
	StrandID        int64  `json:"strand_id"`
	Strand          string `json:"strand"`
	StrandKind      string `json:"strand_kind"`
	ParticipantType string `json:"participant_type"`
	Participant     string `json:"participant"`
	Organization    string `json:"organization"`
	Role            string `json:"role"`
	RSVP            string `json:"rsvp"`
}

// ParticipationReport says who was invited to which strand of the
// exercises in a window.
type ParticipationReport struct {
	From time.Time          `json:"from"`
	To   time.Time          `json:"to"`
	Rows []ParticipationRow `json:"rows"`
}

// ReportExerciseParticipation lists, for the exercises a may see with an
// occurrence in [f.From, f.To), every participant of the exercise and of
// each of its phases a may see, with the participant's organisation.
func (s *Store) ReportExerciseParticipation(ctx context.Context, a Actor, f ReportFilter) (*ParticipationReport, error) {
	if _, err := f.validate(false); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	base, err := reportBase(db, a.Viewer(), f.From, f.To)
	if err != nil {
		return nil, err
	}
	var exercises []int64
	if err := base.Where("activities.kind = ?", KindExercise).Distinct("activities.id").Order("activities.id").Pluck("activities.id", &exercises).Error; err != nil {
		return nil, fmt.Errorf("load the exercises of the report: %w", err)
	}
	out := &ParticipationReport{From: f.From, To: f.To, Rows: []ParticipationRow{}}
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
	byID := map[int64]*ActivityView{}
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
				out.Rows = append(out.Rows, ParticipationRow{ExerciseID: eid, Exercise: ex.Title, StrandID: st.ID, Strand: st.Title, StrandKind: st.Kind,
					ParticipantType: p.Type, Participant: p.IDOrCode, Organization: orgOf[p.Type+":"+itoa(p.ID)], Role: p.Role, RSVP: p.RSVP})
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
		out["organization:"+itoa(id)] = c
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
				out[typ+":"+itoa(r.ID)] = codes[*r.OrganizationID]
			}
		}
	}
	return out, nil
}
