package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// FillReplySummaries sets the reply summary ("3 accepted, 1 declined, 2
// no answer") of each listed activity the actor plans, and leaves the
// others' nil (see ReplySummaries).
func (s *Store) FillReplySummaries(ctx context.Context, a models.Actor, views []models.ActivityView) error {
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

// replySummaryQuery counts the whole-activity answers to each of the
// activities @ids of the people it reaches — directly, through a body, or
// as an organisation's contact (whose eyes are then that organisation's;
// a person also reached as themselves sees with their own) — who may see
// it; and gives every activity a row with no one, so that one that
// reaches nobody still has its lead.
const replySummaryQuery = `SELECT g.activity_id, g.lead_organization_id, r.partstat AS part_stat, COUNT(*) AS n
	FROM (
		SELECT x.activity_id, x.lead_organization_id, x.person_id,
			MAX(CASE WHEN x.via_contact = 0 THEN 1 ELSE 0 END) AS direct,
			MAX(CASE WHEN x.via_contact = 0 AND x.visible = 1 THEN 1 ELSE 0 END) AS direct_visible,
			MAX(CASE WHEN x.via_contact = 1 AND x.visible = 1 THEN 1 ELSE 0 END) AS contact_visible
		FROM (
			SELECT u.activity_id, aa.lead_organization_id, u.person_id, u.via_contact,
				CASE WHEN NOT aa.restricted OR EXISTS (SELECT 1 FROM activity_visibility av WHERE av.activity_id = u.activity_id AND av.organization_id = u.viewer_org)
					THEN 1 ELSE 0 END AS visible
			FROM (
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
			) u JOIN activities aa ON aa.id = u.activity_id AND aa.id IN @ids
		) x GROUP BY x.activity_id, x.lead_organization_id, x.person_id
	) g
	LEFT JOIN replies r ON r.activity_id = g.activity_id AND r.person_id = g.person_id AND r.occurrence_start_s = 0
	WHERE (g.direct = 1 AND g.direct_visible = 1) OR (g.direct = 0 AND g.contact_visible = 1)
	GROUP BY g.activity_id, g.lead_organization_id, r.partstat
	UNION ALL
	SELECT a.id, a.lead_organization_id, NULL, 0 FROM activities a WHERE a.id IN @ids`

// ReplySummaries counts the answers to each of the activities ids that
// the actor plans — administrators all, planners those their organisation
// leads, as the reply table — and leaves the others out. One query per
// chunk of activities, not one per activity: a page of a list costs the
// same whatever its committees. The people counted are those the reply
// table lists: reached directly, through a body or as an organisation's
// contact, and able to see the activity.
func (s *Store) ReplySummaries(ctx context.Context, a models.Actor, ids []int64) (map[int64]models.ReplySummary, error) {
	out := map[int64]models.ReplySummary{}
	if !a.MayBook() {
		return out, nil
	}
	type row struct {
		ActivityID         int64
		LeadOrganizationID int64
		PartStat           *string
		N                  int
	}
	db := s.db.WithContext(ctx)
	if a.Role != models.RoleAdmin {
		// A planner's summaries are of the activities their organisation
		// leads: the others (half a calendar month, 500 of 1,000) are left
		// out by their lead before the summary query, which costs per
		// activity asked about.
		var err error
		if ids, err = s.writableOf(db, a, ids); err != nil {
			return nil, err
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []row
		if err := db.Raw(replySummaryQuery, map[string]any{"ids": chunk}).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("summarise the replies to %d activities: %w", len(chunk), err)
		}
		for _, r := range rows { // of activities a may change (writableOf above, or all for an administrator)
			sum := out[r.ActivityID]
			state := models.RSVPNeedsAction
			if r.PartStat != nil {
				state = models.RSVP(*r.PartStat)
			}
			if r.N > 0 {
				switch state {
				case models.RSVPAccepted:
					sum.Accepted += r.N
				case models.RSVPTentative:
					sum.Tentative += r.N
				case models.RSVPDeclined:
					sum.Declined += r.N
				default:
					sum.NeedsAction += r.N
				}
			}
			out[r.ActivityID] = sum
		}
	}
	return out, nil
}

// writableOf keeps the activities of ids that a may change, by their lead
// organisation (the rule of models.Actor.CanWriteActivity).
func (s *Store) writableOf(db *gorm.DB, a models.Actor, ids []int64) ([]int64, error) {
	var kept []int64
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), viewChunk)]
		ids = ids[len(chunk):]
		var rows []struct{ ID, LeadOrganizationID int64 }
		if err := db.Table("activities").Select("id, lead_organization_id").Where("id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("leads of %d activities: %w", len(chunk), err)
		}
		for _, r := range rows {
			if a.CanWriteActivity(r.LeadOrganizationID) == nil {
				kept = append(kept, r.ID)
			}
		}
	}
	return kept, nil
}
