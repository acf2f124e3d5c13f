package models

import (
	"time"
)

// Grant gives a person a role, bound to an organisation for planners (and
// optionally viewers): a planner is a person, not a token.
type Grant struct {
	ID               int64     `json:"id" gorm:"primaryKey"`
	PersonID         int64     `json:"-"`
	Person           string    `json:"person" gorm:"-"`
	Role             Role      `json:"role"`
	OrganizationID   *int64    `json:"-"`
	OrganizationCode string    `json:"organization,omitempty" gorm:"-"`
	CreatedAt        time.Time `json:"created_at"`
}

// TableName maps Grant to person_grants.
func (Grant) TableName() string { return "person_grants" }

// GrantInput names a person (id or e-mail), a role and, for planners, an
// organisation.
type GrantInput struct {
	Person       Ref  `json:"person"`
	Role         Role `json:"role"`
	Organization Ref  `json:"organization"`
}

// Rank orders roles from least to most powerful, so a person with several
// grants acts with the strongest.
func (r Role) Rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RolePlanner:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}
