package models

import (
	"time"
)

// PacePairInput links two exercises as a PACE pair.
type PacePairInput struct {
	Year             int     `json:"year"`
	Exercises        []int64 `json:"exercises"`
	LeadOrganization Ref     `json:"lead_organization"`
	Notes            string  `json:"notes"`
}

// PacePair is a pair as the API shows it: its two exercises (by id and
// title), that year's lead, and the coordination meetings the caller may
// see.
type PacePair struct {
	ID               int64         `json:"id"`
	Year             int           `json:"year"`
	Exercises        []ActivityRef `json:"exercises"`
	LeadOrganization string        `json:"lead_organization"`
	Notes            string        `json:"notes"`
	Meetings         []ActivityRef `json:"meetings"`
	Version          int           `json:"version"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
}

// CanManagePair says whether a may link, unlink or add meetings to a pair
// of exercises led by the organisations leads: administrators, and
// planners of either organisation.
func (a Actor) CanManagePair(leads ...int64) error {
	if a.Role == RoleAdmin {
		return nil
	}
	for _, l := range leads {
		if a.Role == RolePlanner && a.OrganizationID != 0 && a.OrganizationID == l {
			return nil
		}
	}
	if a.Role == RolePlanner {
		return &ForbiddenError{Reason: "a planner may only manage pairs of which their organisation leads an exercise"}
	}
	return &ForbiddenError{Reason: "this token may only read"}
}

// PacePairFilter narrows the pair list.
type PacePairFilter struct {
	Year int
	// Activity keeps the pairs an exercise belongs to.
	Activity int64
	ListOptions
}
