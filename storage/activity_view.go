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
	return newViewLoader(db).load(ids)
}

// loadViewsNamed is loadViews taking the codes and names of the resources
// in named from there instead of reading them (a booking's draft read
// them already).
func loadViewsNamed(db *gorm.DB, ids []int64, named []models.ResourceView) ([]models.ActivityView, error) {
	l := newViewLoader(db)
	l.names.add(named)
	return l.load(ids)
}

// viewLoader reads views in several calls that share the names and time
// zones read so far, so that a caller reading many activities a part at a
// time (a large feed) reads each name once.
type viewLoader struct {
	db    *gorm.DB
	names *nameCache
	zones map[string]*time.Location
}

func newViewLoader(db *gorm.DB) *viewLoader {
	return &viewLoader{db: db, names: newNameCache(db), zones: map[string]*time.Location{"": time.UTC}}
}

// load reads the views of ids, in their order, a chunk of ids at a time.
func (l *viewLoader) load(ids []int64) ([]models.ActivityView, error) {
	out := make([]models.ActivityView, 0, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), viewChunk)
		views, err := loadViewChunk(l.db, l.names, l.zones, ids[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, views...)
		ids = ids[n:]
	}
	return out, nil
}

// loadViewChunk reads a chunk of activities with everything their views
// show, a few queries for the whole chunk, then builds each view.
func loadViewChunk(db *gorm.DB, names *nameCache, zones map[string]*time.Location, ids []int64) ([]models.ActivityView, error) {
	c, err := readViewChunk(db, names, ids)
	if err != nil {
		return nil, err
	}
	out := make([]models.ActivityView, 0, len(ids))
	for _, id := range ids {
		a, ok := c.byID[id]
		if !ok {
			continue
		}
		v, err := c.view(a, zoneOf(zones, a.TimeZone), names)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// chunkViews is what the views of a chunk of activities are built from,
// grouped by activity.
type chunkViews struct {
	byID    map[int64]*models.Activity
	partsBy map[int64][]models.Participant
	visBy   map[int64][]int64
	ovBy    map[int64][]models.OverrideView
	venues  map[int64]*models.Venue
}

// readViewChunk reads the rows, participants, visibility, overrides and
// venues of a chunk, and the names of every participant, lead
// organisation and visibility into names, one query per table or type.
func readViewChunk(db *gorm.DB, names *nameCache, ids []int64) (*chunkViews, error) {
	rows, err := scanActivities(db, ids)
	if err != nil {
		return nil, err
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
	c := &chunkViews{byID: map[int64]*models.Activity{}, partsBy: map[int64][]models.Participant{}, visBy: map[int64][]int64{},
		ovBy: map[int64][]models.OverrideView{}, venues: map[int64]*models.Venue{}}
	var refs []planning.ResourceRef
	var venueIDs []int64
	for i := range rows {
		a := &rows[i]
		c.byID[a.ID] = a
		refs = append(refs, planning.ResourceRef{Type: "organization", ID: a.LeadOrganizationID})
		if a.VenueID != nil {
			venueIDs = append(venueIDs, *a.VenueID)
		}
	}
	for _, p := range parts {
		refs = append(refs, planning.ResourceRef{Type: planning.ResourceType(p.Type), ID: p.RefID})
		c.partsBy[p.ActivityID] = append(c.partsBy[p.ActivityID], p)
	}
	for _, v := range vis {
		refs = append(refs, planning.ResourceRef{Type: "organization", ID: v.OrganizationID})
		c.visBy[v.ActivityID] = append(c.visBy[v.ActivityID], v.OrganizationID)
	}
	for _, o := range ovs {
		c.ovBy[o.ActivityID] = append(c.ovBy[o.ActivityID], models.OverrideView{RecurrenceID: time.Unix(o.RecurrenceID, 0).UTC(), Cancelled: o.Cancelled, Start: time.Unix(o.StartS, 0).UTC(), End: time.Unix(o.EndS, 0).UTC()})
	}
	if err := names.prefetch(refs); err != nil {
		return nil, err
	}
	if len(venueIDs) > 0 {
		var vs []models.Venue
		if err := db.Where("id IN ?", venueIDs).Find(&vs).Error; err != nil {
			return nil, fmt.Errorf("load view chunk: %w", err)
		}
		for i := range vs {
			c.venues[vs[i].ID] = &vs[i]
		}
	}
	return c, nil
}

// zoneOf is the activity's zone, loaded once per request (loading a zone
// reads and parses its file); UTC when the stored name no longer loads.
func zoneOf(zones map[string]*time.Location, tz string) *time.Location {
	loc, ok := zones[tz]
	if !ok {
		loc = time.UTC
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
		zones[tz] = loc
	}
	return loc
}

// view builds one activity's view in its own zone: times and overrides in
// the activity's offset, references by code and name.
func (c *chunkViews) view(a *models.Activity, loc *time.Location, names *nameCache) (models.ActivityView, error) {
	id := a.ID
	v := models.ActivityView{
		ID: a.ID, Kind: a.Kind, Title: a.Title, Description: a.Description,
		Start: a.StartAt.In(loc), End: a.EndAt.In(loc), TimeZone: a.TimeZone, AllDay: a.AllDay,
		RRule: a.RRule, ExDates: inZone(a.ExDates, loc), RDates: inZone(a.RDates, loc), Overrides: c.ovBy[id],
		Status: a.Status, Format: a.Format, Areas: nonNil(a.Areas), Series: a.Series, Parent: a.ParentID,
		Reminders: nonNil(a.Reminders), ConferenceURL: a.ConferenceURL, Version: a.Version, Sequence: a.Sequence,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(), DeletedAt: a.DeletedAt,
		Participants: []models.ParticipantView{}, Visibility: []string{},
		Restricted: a.Restricted, Allowed: c.visBy[id],
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
		return v, err
	}
	v.LeadOrganization = lead.Code
	if a.VenueID != nil {
		if ven, ok := c.venues[*a.VenueID]; ok {
			v.Venue, v.VenueDetail = ven.Code, ven
		}
	}
	for _, p := range c.partsBy[id] {
		r, err := names.resource(p.Type, p.RefID)
		if err != nil {
			return v, err
		}
		pv := models.ParticipantView{Type: p.Type, ID: p.RefID, IDOrCode: r.Code, Name: r.Name, Role: p.Role, Required: p.Required, RSVP: p.RSVP}
		if p.Type == "person" {
			pv.Email = r.Code
		}
		v.Participants = append(v.Participants, pv)
	}
	for _, o := range c.visBy[id] {
		r, err := names.resource("organization", o)
		if err != nil {
			return v, err
		}
		v.Visibility = append(v.Visibility, r.Code)
	}
	sort.Strings(v.Visibility)
	return v, nil
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
