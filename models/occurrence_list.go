package models

import (
	"time"
)

// OccurrenceFilter selects expanded instances: those overlapping
// [From, To) of the activities ActivityFilter selects.
type OccurrenceFilter struct {
	ActivityFilter
}

// ActivityBrief is what an occurrence says about its activity: enough to
// show it in an agenda; the full activity is one GET away.
type ActivityBrief struct {
	ID               int64  `json:"id"`
	Title            string `json:"title"`
	Kind             string `json:"kind"`
	Status           string `json:"status"`
	TimeZone         string `json:"timezone"`
	LeadOrganization string `json:"lead_organization"`
	Venue            string `json:"venue,omitempty"`
}

// OccurrenceView is one instance of an activity, in the activity's zone.
// RecurrenceID is the original start of a moved instance.
type OccurrenceView struct {
	Activity     ActivityBrief `json:"activity"`
	Start        time.Time     `json:"start"`
	End          time.Time     `json:"end"`
	RecurrenceID *time.Time    `json:"recurrence_id,omitempty"`
}

// OriginalStart is the start the activity's rule gave the occurrence,
// before any move: what names it in a move, a cancellation or a reply.
func (o OccurrenceView) OriginalStart() time.Time {
	if o.RecurrenceID != nil {
		return *o.RecurrenceID
	}
	return o.Start
}
