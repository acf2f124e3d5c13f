package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// Limits of one schedule request: a timeline month of a few dozen rows.
const (
	// MaxScheduleResources is the most rows one request may ask for.
	MaxScheduleResources = 100
	maxScheduleWindow    = 93 * 24 * time.Hour
)

// ResourceSchedules reads what occupies each resource in [from, to) from
// the occupancy index, across both organisations: the free/busy grid of
// the availability page, the timeline and the calendar's busy blocks.
// Activities the actor may not see are reduced to restricted blocks
// (CanSee), so a resource's busy time is never a way to learn another
// organisation's restricted plans. Cancelled activities occupy nothing
// and are absent.
func (s *Store) ResourceSchedules(ctx context.Context, a models.Actor, keys []models.ResourceKey, from, to time.Time) ([]models.ResourceSchedule, error) {
	db := s.db.WithContext(ctx)
	v := &models.ValidationError{}
	if from.IsZero() || to.IsZero() || !to.After(from) {
		v.Add("from", "from and to are required, to after from")
	} else if to.Sub(from) > maxScheduleWindow {
		v.Add("to", "show at most 93 days at a time")
	}
	if len(keys) > MaxScheduleResources {
		v.Add("resources", "at most %d resources at a time", MaxScheduleResources)
	}
	// One query per type resolves the references, one more names them.
	refs := map[models.ResourceType][]models.Ref{}
	for i, k := range keys {
		if _, ok := nameTables[string(k.Type)]; !ok || k.Type == models.ResourceOrganization {
			v.Add(fmt.Sprintf("resources[%d]", i), "want a person, body or venue")
			continue
		}
		refs[k.Type] = append(refs[k.Type], k.IDOrCode)
	}
	resolved := map[models.ResourceType]map[models.Ref]int64{}
	for typ, rs := range refs {
		t := nameTables[string(typ)]
		m, err := resolveMany(db, t[0], t[1], rs)
		if err != nil {
			return nil, fmt.Errorf("resolve %ss: %w", typ, err)
		}
		resolved[typ] = m
	}
	out := make([]models.ResourceSchedule, 0, len(keys))
	byType := map[string][]int64{}
	var named []planning.ResourceRef
	for i, k := range keys {
		m, ok := resolved[k.Type]
		if !ok {
			continue
		}
		id, found := m[k.IDOrCode]
		if !found {
			v.Add(fmt.Sprintf("resources[%d]", i), "no %s with id or code %q", k.Type, string(k.IDOrCode))
			continue
		}
		out = append(out, models.ResourceSchedule{Resource: models.ResourceView{Type: string(k.Type), ID: id}, Busy: []models.BusyBlock{}})
		byType[string(k.Type)] = append(byType[string(k.Type)], id)
		named = append(named, planning.ResourceRef{Type: planning.ResourceType(k.Type), ID: id})
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	names := newNameCache(db)
	if err := names.prefetch(named); err != nil {
		return nil, fmt.Errorf("name resources: %w", err)
	}
	for i := range out {
		r, err := names.resource(out[i].Resource.Type, out[i].Resource.ID)
		if err != nil {
			return nil, fmt.Errorf("name %s %d: %w", out[i].Resource.Type, out[i].Resource.ID, err)
		}
		out[i].Resource = r
	}
	longest, err := longestOccurrence(db)
	if err != nil {
		return nil, fmt.Errorf("longest occurrence: %w", err)
	}
	var rows []occupancyRow
	for typ, ids := range byType {
		var part []occupancyRow
		if err := db.Where("resource_type = ? AND resource_id IN ? AND start_s >= ? AND start_s < ? AND end_s > ?", typ, ids, from.Unix()-longest, to.Unix(), from.Unix()).
			Find(&part).Error; err != nil {
			return nil, fmt.Errorf("load occupancy of %s: %w", typ, err)
		}
		rows = append(rows, part...)
	}
	about, err := s.blockSubjects(db, a.Viewer(), rows)
	if err != nil {
		return nil, err
	}
	at := map[string]int{}
	for i, r := range out {
		at[r.Resource.Type+":"+strconv.FormatInt(r.Resource.ID, 10)] = i
	}
	for _, r := range rows {
		i, ok := at[r.ResourceType+":"+strconv.FormatInt(r.ResourceID, 10)]
		if !ok {
			continue
		}
		b := about[r.ActivityID]
		b.Start, b.End, b.Optional = time.Unix(r.StartS, 0).UTC(), time.Unix(r.EndS, 0).UTC(), !r.Required
		out[i].Busy = append(out[i].Busy, b)
	}
	for i := range out {
		sort.SliceStable(out[i].Busy, func(x, y int) bool {
			bx, by := out[i].Busy[x], out[i].Busy[y]
			if !bx.Start.Equal(by.Start) {
				return bx.Start.Before(by.Start)
			}
			return bx.ActivityID < by.ActivityID
		})
	}
	return out, nil
}

// blockSubjects describes the activities of occupancy rows as v may see
// them, in two queries per chunk of ids.
func (s *Store) blockSubjects(db *gorm.DB, v models.Viewer, rows []occupancyRow) (map[int64]models.BusyBlock, error) {
	out := map[int64]models.BusyBlock{}
	var ids []int64
	for _, r := range rows {
		if _, ok := out[r.ActivityID]; !ok {
			out[r.ActivityID] = models.BusyBlock{Restricted: true}
			ids = append(ids, r.ActivityID)
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var acts []struct {
			ID         int64
			Title      string
			Kind       string
			Restricted bool
			Lead       string
		}
		if err := db.Table("activities").Select("activities.id, activities.title, activities.kind, activities.restricted, organizations.code AS lead").
			Joins("LEFT JOIN organizations ON organizations.id = activities.lead_organization_id").
			Where("activities.id IN ?", chunk).Scan(&acts).Error; err != nil {
			return nil, fmt.Errorf("load busy activities: %w", err)
		}
		var vis []activityVisibility
		if err := db.Where("activity_id IN ?", chunk).Find(&vis).Error; err != nil {
			return nil, fmt.Errorf("load busy activities' visibility: %w", err)
		}
		allowed := map[int64][]int64{}
		for _, x := range vis {
			allowed[x.ActivityID] = append(allowed[x.ActivityID], x.OrganizationID)
		}
		for _, r := range acts {
			if v.CanSee(r.Restricted, allowed[r.ID]) {
				out[r.ID] = models.BusyBlock{ActivityID: r.ID, Title: r.Title, Kind: r.Kind, Lead: r.Lead}
			}
		}
	}
	return out, nil
}
