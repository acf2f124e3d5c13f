package storage

import (
	"fmt"
	"sort"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// viewChunk bounds the ids of one IN list, well under both databases'
// limits on bound parameters.
const viewChunk = 500

// loadViews reads activities with everything their views show, in the
// order of ids, in a few queries per chunk of ids.
func loadViews(db *gorm.DB, ids []int64) ([]models.ActivityView, error) {
	out := make([]models.ActivityView, 0, len(ids))
	names := newNameCache(db)
	zones := map[string]*time.Location{"": time.UTC}
	for len(ids) > 0 {
		n := min(len(ids), viewChunk)
		views, err := loadViewChunk(db, names, zones, ids[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, views...)
		ids = ids[n:]
	}
	return out, nil
}

func loadViewChunk(db *gorm.DB, names *nameCache, zones map[string]*time.Location, ids []int64) ([]models.ActivityView, error) {
	rows, err := scanActivities(db, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*models.Activity{}
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	parts, err := scanParticipants(db, ids)
	if err != nil {
		return nil, err
	}
	var vis []activityVisibility
	if err := db.Where("activity_id IN ?", ids).Order("organization_id").Find(&vis).Error; err != nil {
		return nil, fmt.Errorf("load view chunk: %w", err)
	}
	var ovs []overrideRow
	if err := db.Where("activity_id IN ?", ids).Order("recurrence_id").Find(&ovs).Error; err != nil {
		return nil, fmt.Errorf("load view chunk: %w", err)
	}
	// Names of every participant, lead organisation and venue, one query
	// per type for the whole chunk.
	var refs []planning.ResourceRef
	var venueIDs []int64
	for _, a := range rows {
		refs = append(refs, planning.ResourceRef{Type: "organization", ID: a.LeadOrganizationID})
		if a.VenueID != nil {
			venueIDs = append(venueIDs, *a.VenueID)
		}
	}
	for _, p := range parts {
		refs = append(refs, planning.ResourceRef{Type: planning.ResourceType(p.Type), ID: p.RefID})
	}
	for _, v := range vis {
		refs = append(refs, planning.ResourceRef{Type: "organization", ID: v.OrganizationID})
	}
	if err := names.prefetch(refs); err != nil {
		return nil, err
	}
	venues := map[int64]*models.Venue{}
	if len(venueIDs) > 0 {
		var vs []models.Venue
		if err := db.Where("id IN ?", venueIDs).Find(&vs).Error; err != nil {
			return nil, fmt.Errorf("load view chunk: %w", err)
		}
		for i := range vs {
			venues[vs[i].ID] = &vs[i]
		}
	}
	out := make([]models.ActivityView, 0, len(ids))
	partsBy := map[int64][]models.Participant{}
	for _, p := range parts {
		partsBy[p.ActivityID] = append(partsBy[p.ActivityID], p)
	}
	visBy := map[int64][]int64{}
	for _, v := range vis {
		visBy[v.ActivityID] = append(visBy[v.ActivityID], v.OrganizationID)
	}
	ovBy := map[int64][]models.OverrideView{}
	for _, o := range ovs {
		ovBy[o.ActivityID] = append(ovBy[o.ActivityID], models.OverrideView{RecurrenceID: time.Unix(o.RecurrenceID, 0).UTC(), Cancelled: o.Cancelled, Start: time.Unix(o.StartS, 0).UTC(), End: time.Unix(o.EndS, 0).UTC()})
	}
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			continue
		}
		loc, ok := zones[a.TimeZone]
		if !ok {
			loc = time.UTC
			if l, err := time.LoadLocation(a.TimeZone); err == nil {
				loc = l
			}
			zones[a.TimeZone] = loc // loading a zone reads and parses its file
		}
		v := models.ActivityView{
			ID: a.ID, Kind: a.Kind, Title: a.Title, Description: a.Description,
			Start: a.StartAt.In(loc), End: a.EndAt.In(loc), TimeZone: a.TimeZone, AllDay: a.AllDay,
			RRule: a.RRule, ExDates: inZone(a.ExDates, loc), RDates: inZone(a.RDates, loc), Overrides: ovBy[id],
			Status: a.Status, Format: a.Format, Areas: nonNil(a.Areas), Series: a.Series, Parent: a.ParentID,
			Reminders: nonNil(a.Reminders), ConferenceURL: a.ConferenceURL, Version: a.Version, Sequence: a.Sequence,
			CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(), DeletedAt: a.DeletedAt,
			Participants: []models.ParticipantView{}, Visibility: []string{},
			Restricted: a.Restricted, Allowed: visBy[id],
		}
		if v.Overrides == nil {
			v.Overrides = []models.OverrideView{}
		}
		for i := range v.Overrides { // in the activity's offset, like its start
			o := &v.Overrides[i]
			o.RecurrenceID, o.Start, o.End = o.RecurrenceID.In(loc), o.Start.In(loc), o.End.In(loc)
		}
		lead, err := names.resource("organization", a.LeadOrganizationID)
		if err != nil {
			return nil, err
		}
		v.LeadOrganization = lead.Code
		if a.VenueID != nil {
			if ven, ok := venues[*a.VenueID]; ok {
				v.Venue, v.VenueDetail = ven.Code, ven
			}
		}
		for _, p := range partsBy[id] {
			r, err := names.resource(p.Type, p.RefID)
			if err != nil {
				return nil, err
			}
			pv := models.ParticipantView{Type: p.Type, ID: p.RefID, IDOrCode: r.Code, Name: r.Name, Role: p.Role, Required: p.Required, RSVP: p.RSVP}
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

// activityColumns are read by scanActivities in this order.
const activityColumns = "id, kind, title, description, start_at, end_at, timezone, all_day, rrule, exdates, rdates, status, format, venue_id, " +
	"lead_organization_id, restricted, areas, series, parent_id, reminders, conference_url, version, sequence, source_uid, created_at, updated_at, deleted_at"

// scanActivities reads activity rows with database/sql directly: feeds
// read thousands at once, and ORM reflection was most of a cold render.
func scanActivities(db *gorm.DB, ids []int64) ([]models.Activity, error) {
	rs, err := db.Table("activities").Select(activityColumns).Where("id IN ?", ids).Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make([]models.Activity, 0, len(ids))
	for rs.Next() {
		var a models.Activity
		var exdates, rdates, areas, reminders string
		if err := rs.Scan(&a.ID, &a.Kind, &a.Title, &a.Description, &a.StartAt, &a.EndAt, &a.TimeZone, &a.AllDay, &a.RRule, &exdates, &rdates,
			&a.Status, &a.Format, &a.VenueID, &a.LeadOrganizationID, &a.Restricted, &areas, &a.Series, &a.ParentID, &reminders,
			&a.ConferenceURL, &a.Version, &a.Sequence, &a.SourceUID, &a.CreatedAt, &a.UpdatedAt, &a.DeletedAt); err != nil {
			return nil, err
		}
		for _, col := range []struct {
			raw string
			dst interface{ Scan(any) error }
		}{{exdates, &a.ExDates}, {rdates, &a.RDates}, {areas, &a.Areas}, {reminders, &a.Reminders}} {
			if col.raw != "[]" && col.raw != "" {
				if err := col.dst.Scan(col.raw); err != nil {
					return nil, fmt.Errorf("activity %d: %w", a.ID, err)
				}
			}
		}
		a.StartAt, a.EndAt, a.CreatedAt, a.UpdatedAt = a.StartAt.UTC(), a.EndAt.UTC(), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
		out = append(out, a)
	}
	return out, rs.Err()
}

// scanParticipants reads the participants of activities, in order.
func scanParticipants(db *gorm.DB, ids []int64) ([]models.Participant, error) {
	rs, err := db.Table("participants").Select("id, activity_id, position, type, ref_id, role, required, rsvp").
		Where("activity_id IN ?", ids).Order("activity_id, position").Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []models.Participant
	for rs.Next() {
		var p models.Participant
		if err := rs.Scan(&p.ID, &p.ActivityID, &p.Position, &p.Type, &p.RefID, &p.Role, &p.Required, &p.RSVP); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rs.Err()
}
