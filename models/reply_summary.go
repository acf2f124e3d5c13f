package models

import (
	"context"
	"fmt"
)

// FillReplySummaries sets the reply summary ("3 accepted, 1 declined, 2
// no answer") of each listed activity the actor plans, and leaves the
// others' nil (see ReplySummaries).
func (s *Store) FillReplySummaries(ctx context.Context, a Actor, views []ActivityView) error {
	ids := make([]int64, len(views))
	for i := range views {
		ids[i] = views[i].ID
	}
	sums, err := s.ReplySummaries(ctx, a, ids)
	if err != nil {
		return err
	}
	for i := range views {
		if sum, ok := sums[views[i].ID]; ok {
			views[i].Replies = &sum
		}
	}
	return nil
}

// replySummaryQuery reads each way a person is reached by the activities
// @ids — directly, through a body, as an organisation's contact (whose
// eyes are then that organisation's) — with whether those eyes may see
// the activity and the person's whole-activity answer. An activity
// without participants still gives one row, for its lead.
const replySummaryQuery = `SELECT a.id AS activity_id, a.lead_organization_id, a.restricted, x.person_id, x.via_contact,
		CASE WHEN EXISTS (SELECT 1 FROM activity_visibility av WHERE av.activity_id = a.id AND av.organization_id = x.viewer_org) THEN 1 ELSE 0 END AS allowed,
		r.partstat AS part_stat
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

// ReplySummaries counts the answers to each of the activities ids that
// the actor plans — administrators all, planners those their organisation
// leads, as the reply table — and leaves the others out. One query per
// chunk of activities, not one per activity: a page of a list costs the
// same whatever its committees. The people counted are those the reply
// table lists: reached directly, through a body or as an organisation's
// contact, and able to see the activity.
func (s *Store) ReplySummaries(ctx context.Context, a Actor, ids []int64) (map[int64]ReplySummary, error) {
	out := map[int64]ReplySummary{}
	if a.Role != RoleAdmin && a.Role != RolePlanner {
		return out, nil
	}
	type row struct {
		ActivityID         int64
		LeadOrganizationID int64
		Restricted         bool
		PersonID           *int64
		ViaContact         int
		Allowed            int
		PartStat           *string
	}
	type seen struct {
		visible  bool
		partstat string
		direct   bool
	}
	db := s.db.WithContext(ctx)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []row
		if err := db.Raw(replySummaryQuery, map[string]any{"ids": chunk}).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("summarise the replies to %d activities: %w", len(chunk), err)
		}
		people := map[int64]map[int64]seen{}
		for _, r := range rows {
			if a.canWriteActivity(r.LeadOrganizationID) != nil {
				continue
			}
			if people[r.ActivityID] == nil {
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
			next := seen{visible: !r.Restricted || r.Allowed == 1, direct: r.ViaContact == 0}
			if r.PartStat != nil {
				next.partstat = *r.PartStat
			}
			people[r.ActivityID][*r.PersonID] = next
		}
		for id, ps := range people {
			var sum ReplySummary
			for _, p := range ps {
				if p.visible {
					sum.count(p.partstat)
				}
			}
			out[id] = sum
		}
	}
	return out, nil
}
