package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// Token is an API credential. Only the SHA-256 of the secret is stored:
// the secrets are 256 random bits, so a fast hash is enough and a stolen
// database yields no usable token.
type Token struct {
	ID               int64      `json:"id" gorm:"primaryKey"`
	Name             string     `json:"name"`
	Role             Role       `json:"role"`
	OrganizationID   *int64     `json:"-"`
	OrganizationCode string     `json:"organization,omitempty" gorm:"-"`
	Hash             string     `json:"-"`
	CreatedAt        time.Time  `json:"created_at"`
	LastUsedAt       *time.Time `json:"last_used_at,omitempty"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	// ExpiresAt, when set, ends the token's validity without a revocation
	// (a session's demo token, a contractor's token for a month).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// PersonID binds a personal access token to its person, whose grants
	// it acts with at each request; nil for a service token, whose Role
	// and OrganizationID are its own (a personal token stores no role).
	PersonID *int64 `json:"-"`
	// Owner is the e-mail address of a personal token's person.
	Owner string `json:"owner,omitempty" gorm:"-"`
	// Scope limits the token to reading, or lets it write too.
	Scope TokenScope `json:"scope"`
}

// TableName maps Token to api_tokens.
func (Token) TableName() string { return "api_tokens" }

// TokenPrefix starts every secret jointcal issues, so leaked tokens are
// easy to recognise in logs and scanners.
const TokenPrefix = "jc_"

// ErrUnauthenticated is returned for missing or unknown credentials.
var ErrUnauthenticated = errors.New("unknown token or no credentials")

// ErrTokenRevoked is returned for a token that was revoked, so its holder
// learns that it was withdrawn on purpose rather than mistyped.
var ErrTokenRevoked = errors.New("the token was revoked")

// ErrTokenExpired is returned for a token past its expiry, so its holder
// learns to ask for a new one rather than suspect a typo.
var ErrTokenExpired = errors.New("the token has expired")

// ErrTokenAlreadyRevoked is returned when revoking a token that is
// revoked already: nothing changes, and the caller can say so.
var ErrTokenAlreadyRevoked = errors.New("token already revoked")

// HashToken is the at-rest form of a secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a fresh random secret of 256 bits.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenInput describes a token to create.
type TokenInput struct {
	Name         string
	Role         Role
	Organization Ref
	// ExpiresAt, when set, must lie in the future; nil means the token is
	// valid until revoked.
	ExpiresAt *time.Time
}
