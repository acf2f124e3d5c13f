package models

import (
	"time"
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
