package models

import (
	"context"
	"fmt"
)

// FillReplySummaries sets the reply summary ("3 accepted, 1 declined, 2
// no answer") of each listed activity the actor plans — administrators
// all, planners those their organisation leads, as the reply table —
// and leaves the others' nil. One query per chunk of activities, not one
// per activity: a page of a list costs the same whatever the committees.
// The people counted are those the reply table lists: reached directly,
// through a body or as an organisation's contact, and able to see the
// activity.
func (s *Store) FillReplySummaries(ctx context.Context, a Actor, views []ActivityView) error {
	if a.Role != RoleAdmin && a.Role != RolePlanner {
		return nil
	}
	db := s.db.WithContext(ctx)
	index := map[int64]*ActivityView{}
	ids := make([]int64, 0, len(views))
	for i := range views {
		index[views[i].ID] = &views[i]
		ids = append(ids, views[i].ID)
	}
	type row struct {
		ActivityID         int64
		LeadOrganizationID int64
		PersonID           *int64
		ViaContact         int
		ViewerOrg          *int64
		PartStat           *string
	}
	// Each way a person is reached, with the organisation whose eyes they
	// see with (their own; an organisation's contact: that organisation's)
	// and their whole-activity answer; an activity without participants
	// still gives one row, for its lead.
	const reached = `SELECT a.id AS activity_id, a.lead_organization_id, x.person_id, x.via_contact, x.viewer_org, r.partstat AS part_stat
		FROM activities a
		LEFT JOIN (
			SELECT pp.activity_id, pp.ref_id AS person_id, 0 AS via_contact, pe.organization_id AS viewer_org
				FROM participants pp JOIN people pe ON pe.id = pp.ref_id WHERE pp.type = 'person' AND pp.activity_id IN @ids
			UNION ALL
			SELECT pp.activity_id, bm.person_id, 0, pe.organization_id
				FROM participants pp JOIN body_members bm ON bm.body_id = pp.ref_id JOIN people pe ON pe.id = bm.person_id
				WHERE pp.type = 'body' AND pp.activity_id IN @ids
			UNION ALL
			SELECT pp.activity_id, pe.id, 1, o.id
				FROM participants pp JOIN organizations o ON o.id = pp.ref_id JOIN people pe ON LOWER(pe.email) = LOWER(o.contact_email)
				WHERE pp.type = 'organization' AND o.contact_email <> '' AND pp.activity_id IN @ids
		) x ON x.activity_id = a.id
		LEFT JOIN replies r ON r.activity_id = x.activity_id AND r.person_id = x.person_id AND r.occurrence_start_s = 0
		WHERE a.id IN @ids`
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []row
		if err := db.Raw(reached, map[string]any{"ids": chunk}).Scan(&rows).Error; err != nil {
			return fmt.Errorf("summarise the replies to %d activities: %w", len(chunk), err)
		}
		type seen struct {
			viewer   Viewer
			partstat string
			direct   bool
		}
		people := map[int64]map[int64]seen{}
		for _, r := range rows {
			v := index[r.ActivityID]
			if v == nil || a.canWriteActivity(r.LeadOrganizationID) != nil {
				continue
			}
			if v.Replies == nil {
				v.Replies = &ReplySummary{}
				people[r.ActivityID] = map[int64]seen{}
			}
			if r.PersonID == nil {
				continue
			}
			cur, ok := people[r.ActivityID][*r.PersonID]
			// A person reached as themselves sees with their own
			// organisation's eyes, whatever contact address they also are.
			if ok && (cur.direct || r.ViaContact == 1) {
				continue
			}
			next := seen{viewer: Viewer{OrganizationID: derefID(r.ViewerOrg)}, direct: r.ViaContact == 0}
			if r.PartStat != nil {
				next.partstat = *r.PartStat
			}
			people[r.ActivityID][*r.PersonID] = next
		}
		for id, ps := range people {
			v := index[id]
			for _, p := range ps {
				if p.viewer.CanSee(v.restricted, v.allowed) {
					v.Replies.count(p.partstat)
				}
			}
		}
	}
	return nil
}
