package models

// Role is what a token may do.
type Role string

// The three roles of the API.
const (
	// RoleAdmin may do everything and sees everything.
	RoleAdmin Role = "admin"
	// RolePlanner is bound to one organisation: it books and changes the
	// activities that organisation leads, and may invite anyone.
	RolePlanner Role = "planner"
	// RoleViewer only reads.
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RolePlanner || r == RoleViewer }

// Actor is who performs a request: the token's identity, role and
// organisation. Every store method that reads activities or writes
// anything takes one, so that visibility and permissions are applied in
// the store and nowhere else.
type Actor struct {
	// PersonID is the signed-in person (0 for a service token or the
	// CLI); audit entries name them.
	PersonID       int64
	TokenID        int64
	Name           string
	Role           Role
	OrganizationID int64 // 0: none (admins, or viewers not bound to one)
	// Scope is the scope of the token the request came with; empty for a
	// browser session or the CLI, which are not limited by one.
	Scope TokenScope
}

// ReadOnly says whether the actor came with a read-only token and so may
// change nothing.
func (a Actor) ReadOnly() bool { return a.Scope == ScopeRead }

// System is the actor of the CLI and of demo loading: an administrator that
// is not a token.
func System() Actor { return Actor{Name: "system", Role: RoleAdmin} }

// Viewer is what visibility depends on; an Actor, a feed owner and an
// e-mail recipient all reduce to one.
type Viewer struct {
	// All sees every activity (administrators).
	All bool
	// OrganizationID sees activities unrestricted or restricted to it.
	OrganizationID int64
}

// Viewer returns the visibility of the actor.
func (a Actor) Viewer() Viewer {
	return Viewer{All: a.Role == RoleAdmin, OrganizationID: a.OrganizationID}
}

// CanWriteActivity says whether the actor may create or change an activity
// led by leadOrg.
func (a Actor) CanWriteActivity(leadOrg int64) error {
	switch a.Role {
	case RoleAdmin:
		return nil
	case RolePlanner:
		if a.OrganizationID != 0 && a.OrganizationID == leadOrg {
			return nil
		}
		return &ForbiddenError{Reason: "a planner may only book and change activities led by their own organisation"}
	default:
		return &ForbiddenError{Reason: "this token may only read"}
	}
}

// CanWriteReference says whether the actor may change reference data of
// an organisation (its people, bodies); orgID 0 means data not owned by
// one (venues), which any planner may maintain.
func (a Actor) CanWriteReference(orgID int64) error {
	switch {
	case a.Role == RoleAdmin:
		return nil
	case a.Role == RolePlanner && (orgID == 0 || orgID == a.OrganizationID):
		return nil
	case a.Role == RolePlanner:
		return &ForbiddenError{Reason: "a planner may only change the data of their own organisation"}
	default:
		return &ForbiddenError{Reason: "this token may only read"}
	}
}

// MayBook says whether the actor may book activities at all (an
// administrator, or a planner for their organisation's), so that pages
// offer booking only to them; canWriteActivity still decides each one.
func (a Actor) MayBook() bool { return a.Role == RoleAdmin || a.Role == RolePlanner }

// RequireAdmin refuses everyone but administrators.
func (a Actor) RequireAdmin() error {
	if a.Role != RoleAdmin {
		return &ForbiddenError{Reason: "only an administrator may do this"}
	}
	return nil
}

// CanCreateFeed says whether the actor may create a feed owned by
// (ownerType, ownerID) of organisation ownerOrg. Administrators may
// create any; planners for their organisation or one of its people; a
// signed-in person for themselves; a viewer token bound to an
// organisation for one of its people (a token is not a person, so "for
// themselves" is checked at the level of its organisation).
func (a Actor) CanCreateFeed(ownerType string, ownerID, ownerOrg int64) error {
	switch {
	case a.Role == RoleAdmin:
		return nil
	case a.Role == RolePlanner && a.OrganizationID != 0 && a.OrganizationID == ownerOrg:
		return nil
	case a.PersonID != 0 && ownerType == "person" && ownerID == a.PersonID:
		return nil
	case a.PersonID == 0 && a.OrganizationID != 0 && a.OrganizationID == ownerOrg && ownerType == "person":
		return nil
	}
	return &ForbiddenError{Reason: "feeds may be created for yourself, or by planners for their organisation and its people"}
}
