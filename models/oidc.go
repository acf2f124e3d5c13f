package models

import (
	"errors"
)

// ErrOIDCLoginInvalid is the answer to a provider's return that matches
// no sign-in attempt in progress: unknown, completed already, or older
// than its lifetime. Which of the three is not said.
var ErrOIDCLoginInvalid = errors.New("this sign-in attempt is unknown, was completed already or has expired; start again")

// ErrOIDCMapping is returned when a group of the person maps to a grant
// on an organisation jointcal does not know: the mapping setting is wrong,
// and signing the person in with less than it says would hide that.
var ErrOIDCMapping = errors.New("JOINTCAL_OIDC_GROUP_GRANTS names an unknown organisation")

// OIDCGrant is a grant a provider group gives: a role, and the code of
// its organisation when bound to one.
type OIDCGrant struct {
	Role         Role
	Organization string
}

// OIDCIdentity is what a verified ID token says about a person.
type OIDCIdentity struct {
	// Account is the provider's account: issuer and subject. A person is
	// bound to the first account that signs in as them.
	Account string
	// Email finds the person (case-insensitively) at their first sign-in.
	Email string
	// Name and ZoneInfo fill a person created at first sign-in.
	Name, ZoneInfo string
	// Grants are those the person's groups map to; with SyncGrants they
	// replace the grants that earlier sign-ins got from groups.
	Grants     []OIDCGrant
	SyncGrants bool
}

// ErrOIDCAccountMismatch is returned when an address belongs to a person
// already bound to another account of the provider: whoever claims an
// address at the provider must not become the person who owns it here.
var ErrOIDCAccountMismatch = errors.New("this address belongs to a person bound to another account of the identity provider")
