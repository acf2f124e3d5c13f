package models

import (
	"time"
)

// TokenScope is what a token may do beyond what its role allows: a
// read-only token lets a script or a calendar tool read with a person's
// rights without being able to change anything if it leaks.
type TokenScope string

// The scopes of a token.
const (
	// ScopeRead allows only requests that change nothing (GET, HEAD,
	// OPTIONS).
	ScopeRead TokenScope = "read"
	// ScopeReadWrite allows everything the role allows; service tokens
	// and tokens issued before scopes existed have it.
	ScopeReadWrite TokenScope = "read_write"
)

// Valid reports whether s is one of the known scopes.
func (s TokenScope) Valid() bool { return s == ScopeRead || s == ScopeReadWrite }

// DefaultPersonalTokenLifetime is the life of a personal token whose
// creator names none: long enough for a quarter's automation, short
// enough that a forgotten token dies on its own.
const DefaultPersonalTokenLifetime = 90 * 24 * time.Hour

// TokenStatus says whether a token still works, and if not, why.
type TokenStatus string

// The states of a token.
const (
	TokenActive  TokenStatus = "active"
	TokenExpired TokenStatus = "expired"
	TokenRevoked TokenStatus = "revoked"
)

// PersonalTokenInput is what a signed-in person asks for. ExpiresIn is an
// ISO 8601 duration (P90D); empty means DefaultPersonalTokenLifetime, or
// the maximum when that is shorter. Scope empty means read_write.
type PersonalTokenInput struct {
	Name      string     `json:"name"`
	Scope     TokenScope `json:"scope"`
	ExpiresIn string     `json:"expires_in"`
}

// PersonalToken is a person's view of one of their tokens: never the
// secret, never its hash.
type PersonalToken struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Scope      TokenScope  `json:"scope"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	LastUsedAt *time.Time  `json:"last_used_at"`
	RevokedAt  *time.Time  `json:"revoked_at,omitempty"`
	Status     TokenStatus `json:"status"`
}

// RequireSignedInPerson refuses callers that cannot hold personal tokens:
// service tokens and the CLI are not people.
func (a Actor) RequireSignedInPerson() error {
	if a.PersonID == 0 {
		return &ForbiddenError{Reason: "only a signed-in person has personal tokens; service tokens are issued by an administrator (jointcal token create)"}
	}
	return nil
}
