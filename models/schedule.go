package models

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// ResourceKey names a resource whose busy time is asked for: a person by
// e-mail or id, a body or venue by code or id.
type ResourceKey struct {
	Type     ResourceType
	IDOrCode Ref
}

// BusyBlock is a span in which a resource is taken. Activity, Title,
// Kind and Lead are set only when the actor may see the activity; for
// another organisation's restricted activity only Restricted is set, so
// the block says "busy" and nothing else.
type BusyBlock struct {
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	ActivityID int64     `json:"activity_id,omitempty"`
	Title      string    `json:"title,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	Lead       string    `json:"lead_organization,omitempty"`
	Restricted bool      `json:"restricted,omitempty"`
	// Optional marks an optional participation: the resource is expected
	// elsewhere but may be missed (it does not block a slot).
	Optional bool `json:"optional,omitempty"`
}

// ResourceSchedule is the busy time of one resource in a window, in
// start order: one row of a free/busy grid or a timeline.
type ResourceSchedule struct {
	Resource ResourceView `json:"resource"`
	Busy     []BusyBlock  `json:"busy"`
}

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
func (s *Store) ResourceSchedules(ctx context.Context, a Actor, keys []ResourceKey, from, to time.Time) ([]ResourceSchedule, error) {
	db := s.db.WithContext(ctx)
	v := &ValidationError{}
	if from.IsZero() || to.IsZero() || !to.After(from) {
		v.add("from", "from and to are required, to after from")
	} else if to.Sub(from) > maxScheduleWindow {
		v.add("to", "show at most 93 days at a time")
	}
	if len(keys) > MaxScheduleResources {
		v.add("resources", "at most %d resources at a time", MaxScheduleResources)
	}
	// One query per type resolves the references, one more names them.
	refs := map[ResourceType][]Ref{}
	for i, k := range keys {
		if _, ok := nameTables[string(k.Type)]; !ok || k.Type == ResourceOrganization {
			v.add(fmt.Sprintf("resources[%d]", i), "want a person, body or venue")
			continue
		}
		refs[k.Type] = append(refs[k.Type], k.IDOrCode)
	}
	resolved := map[ResourceType]map[Ref]int64{}
	for typ, rs := range refs {
		t := nameTables[string(typ)]
		m, err := resolveMany(db, t[0], t[1], rs)
		if err != nil {
			return nil, fmt.Errorf("resolve %ss: %w", typ, err)
		}
		resolved[typ] = m
	}
	out := make([]ResourceSchedule, 0, len(keys))
	byType := map[string][]int64{}
	var named []planning.ResourceRef
	for i, k := range keys {
		m, ok := resolved[k.Type]
		if !ok {
			continue
		}
		id, found := m[k.IDOrCode]
		if !found {
			v.add(fmt.Sprintf("resources[%d]", i), "no %s with id or code %q", k.Type, string(k.IDOrCode))
			continue
		}
		out = append(out, ResourceSchedule{Resource: ResourceView{Type: string(k.Type), ID: id}, Busy: []BusyBlock{}})
		byType[string(k.Type)] = append(byType[string(k.Type)], id)
		named = append(named, planning.ResourceRef{Type: planning.ResourceType(k.Type), ID: id})
	}
	if err := v.orNil(); err != nil {
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
		at[r.Resource.Type+":"+itoa(r.Resource.ID)] = i
	}
	for _, r := range rows {
		i, ok := at[r.ResourceType+":"+itoa(r.ResourceID)]
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
func (s *Store) blockSubjects(db *gorm.DB, v Viewer, rows []occupancyRow) (map[int64]BusyBlock, error) {
	out := map[int64]BusyBlock{}
	var ids []int64
	for _, r := range rows {
		if _, ok := out[r.ActivityID]; !ok {
			out[r.ActivityID] = BusyBlock{Restricted: true}
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
				out[r.ID] = BusyBlock{ActivityID: r.ID, Title: r.Title, Kind: r.Kind, Lead: r.Lead}
			}
		}
	}
	return out, nil
}
