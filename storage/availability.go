package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// Availability finds the earliest slots where every listed resource is
// free: no exclusive booking of theirs and no hard blackout of their
// organisations overlaps.
func (s *Store) Availability(ctx context.Context, a models.Actor, q models.AvailabilityQuery) ([]models.SpanView, error) {
	return s.availabilityIn(s.db.WithContext(ctx), q)
}

// availabilityIn is Availability on db (cross-briefing slots use it too).
func (s *Store) availabilityIn(db *gorm.DB, q models.AvailabilityQuery) ([]models.SpanView, error) {
	v := &models.ValidationError{}
	if q.Duration <= 0 || q.Duration > 31*24*time.Hour {
		v.Add("duration", "want a duration between PT1M and P31D")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		v.Add("from", "from and to are required, to after from")
	} else if q.To.Sub(q.From) > 366*24*time.Hour {
		v.Add("to", "search at most one year at a time")
	}
	if len(q.Participants) == 0 && q.Venue == "" {
		v.Add("participants", "name at least one participant or a venue")
	}
	var claims []planning.Claim
	orgs := map[int64]bool{} // whose hard blackouts block the slot
	for i, p := range q.Participants {
		field := fmt.Sprintf("participants[%d]", i)
		var id int64
		if ref, ok := participantTables[p.Type]; ok {
			id = resolveField(db, v, field, ref[0], ref[1], p.IDOrCode)
		} else {
			v.Add(field, "want person:ID, body:CODE or organization:CODE")
		}
		if org := ownerOrganization(db, p.Type, id); id != 0 && org != 0 {
			orgs[org] = true
		}
		if id != 0 {
			claims = append(claims, planning.Claim{Resource: planning.ResourceRef{Type: planning.ResourceType(p.Type), ID: id}, Required: true})
		}
	}
	if q.Venue != "" {
		if id := resolveField(db, v, "venue", "venues", "code", q.Venue); id != 0 {
			claims = append(claims, planning.Claim{Resource: planning.ResourceRef{Type: "venue", ID: id}, Required: true})
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	busy, err := loadBusy(db, claims, q.From, q.To, 0, "")
	if err != nil {
		return nil, err
	}
	external, _, err := loadExternalBusy(db, claimsByType(claims), q.From, q.To)
	if err != nil {
		return nil, err
	}
	for _, b := range external {
		if b.Severity == planning.SeverityHard {
			busy = append(busy, b)
		}
	}
	var spans []planning.Span
	for _, b := range busy {
		// An organisation is never "busy"; optional participations and
		// virtual venues do not block a slot.
		if (b.Resource.Type == "organization" && !b.External) || !b.Required || b.Virtual {
			continue
		}
		spans = append(spans, planning.Span{Start: b.Start, End: b.End})
	}
	var orgIDs []int64
	for id, ok := range orgs {
		if ok {
			orgIDs = append(orgIDs, id)
		}
	}
	blackouts, err := loadBlackouts(db, orgIDs, q.From, q.To)
	if err != nil {
		return nil, err
	}
	for _, b := range blackouts {
		if b.Severity == "hard" {
			spans = append(spans, planning.Span{Start: b.Start, End: b.End})
		}
	}
	slots := planning.FreeSlots(spans, planning.SlotQuery{Duration: q.Duration, From: q.From, To: q.To, WorkStart: q.WorkStart, WorkEnd: q.WorkEnd, Days: q.Days, Location: q.Location, Limit: q.Limit})
	out := make([]models.SpanView, len(slots))
	for i, sl := range slots {
		out[i] = models.SpanView{Start: sl.Start.In(q.Location), End: sl.End.In(q.Location)}
	}
	return out, nil
}
