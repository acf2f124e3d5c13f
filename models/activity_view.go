package models

import (
	"sort"
	"time"

	"gorm.io/gorm"
)

// viewChunk bounds the ids of one IN list, well under both databases'
// limits on bound parameters.
const viewChunk = 500

// loadViews reads activities with everything their views show, in the
// order of ids, in a few queries per chunk of ids.
func loadViews(db *gorm.DB, ids []int64) ([]ActivityView, error) {
	out := make([]ActivityView, 0, len(ids))
	names := newNameCache(db)
	for len(ids) > 0 {
		n := min(len(ids), viewChunk)
		views, err := loadViewChunk(db, names, ids[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, views...)
		ids = ids[n:]
	}
	return out, nil
}

func loadViewChunk(db *gorm.DB, names *nameCache, ids []int64) ([]ActivityView, error) {
	var rows []Activity
	if err := db.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	byID := map[int64]*Activity{}
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	var parts []Participant
	if err := db.Where("activity_id IN ?", ids).Order("activity_id, position").Find(&parts).Error; err != nil {
		return nil, err
	}
	var vis []activityVisibility
	if err := db.Where("activity_id IN ?", ids).Order("organization_id").Find(&vis).Error; err != nil {
		return nil, err
	}
	var ovs []overrideRow
	if err := db.Where("activity_id IN ?", ids).Order("recurrence_id").Find(&ovs).Error; err != nil {
		return nil, err
	}
	venues := map[int64]*Venue{}
	out := make([]ActivityView, 0, len(ids))
	partsBy := map[int64][]Participant{}
	for _, p := range parts {
		partsBy[p.ActivityID] = append(partsBy[p.ActivityID], p)
	}
	visBy := map[int64][]int64{}
	for _, v := range vis {
		visBy[v.ActivityID] = append(visBy[v.ActivityID], v.OrganizationID)
	}
	ovBy := map[int64][]OverrideView{}
	for _, o := range ovs {
		ovBy[o.ActivityID] = append(ovBy[o.ActivityID], OverrideView{RecurrenceID: time.Unix(o.RecurrenceID, 0).UTC(), Cancelled: o.Cancelled, Start: time.Unix(o.StartS, 0).UTC(), End: time.Unix(o.EndS, 0).UTC()})
	}
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			continue
		}
		loc := time.UTC
		if a.TimeZone != "" {
			if l, err := time.LoadLocation(a.TimeZone); err == nil {
				loc = l
			}
		}
		v := ActivityView{
			ID: a.ID, Kind: a.Kind, Title: a.Title, Description: a.Description,
			Start: a.StartAt.In(loc), End: a.EndAt.In(loc), TimeZone: a.TimeZone, AllDay: a.AllDay,
			RRule: a.RRule, ExDates: inZone(a.ExDates, loc), RDates: inZone(a.RDates, loc), Overrides: ovBy[id],
			Status: a.Status, Format: a.Format, Areas: nonNil(a.Areas), Series: a.Series, Parent: a.ParentID,
			Reminders: nonNil(a.Reminders), ConferenceURL: a.ConferenceURL, Version: a.Version, Sequence: a.Sequence,
			CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(), DeletedAt: a.DeletedAt,
			Participants: []ParticipantView{}, Visibility: []string{},
			restricted: a.Restricted, allowed: visBy[id],
		}
		if v.Overrides == nil {
			v.Overrides = []OverrideView{}
		}
		lead, err := names.resource("organization", a.LeadOrganizationID)
		if err != nil {
			return nil, err
		}
		v.LeadOrganization = lead.Code
		if a.VenueID != nil {
			ven, ok := venues[*a.VenueID]
			if !ok {
				ven = &Venue{}
				if err := db.First(ven, *a.VenueID).Error; err != nil {
					return nil, err
				}
				venues[*a.VenueID] = ven
			}
			v.Venue, v.VenueDetail = ven.Code, ven
		}
		for _, p := range partsBy[id] {
			r, err := names.resource(p.Type, p.RefID)
			if err != nil {
				return nil, err
			}
			pv := ParticipantView{Type: p.Type, ID: p.RefID, IDOrCode: r.Code, Name: r.Name, Role: p.Role, Required: p.Required, RSVP: p.RSVP}
			if p.Type == "person" {
				pv.Email = r.Code
			}
			v.Participants = append(v.Participants, pv)
		}
		for _, o := range visBy[id] {
			r, err := names.resource("organization", o)
			if err != nil {
				return nil, err
			}
			v.Visibility = append(v.Visibility, r.Code)
		}
		sort.Strings(v.Visibility)
		out = append(out, v)
	}
	return out, nil
}

func inZone(ts []time.Time, loc *time.Location) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.In(loc)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
