package models

import (
	"errors"
	"time"
)

// SignInMethod says how a session began.
type SignInMethod string

// The ways into a session.
const (
	SignInLink SignInMethod = "link"
	SignInOIDC SignInMethod = "oidc"
	SignInDemo SignInMethod = "demo"
)

// SessionSettings are the lifetimes of sign-in links and sessions.
type SessionSettings struct {
	// LinkTTL is how long an e-mailed sign-in link may be used (once).
	LinkTTL time.Duration
	// Idle ends a session nobody used for that long.
	Idle time.Duration
	// Absolute ends every session that long after sign-in, used or not.
	Absolute time.Duration
	// LinksPerAddress is how many links one address may be sent per
	// LinkTTL, so that nobody can flood a mailbox through jointcal.
	LinksPerAddress int
	// BootstrapAdminEmail, when set, is made an administrator as that
	// person signs in (JOINTCAL_BOOTSTRAP_ADMIN_EMAIL).
	BootstrapAdminEmail string
}

// DefaultSessionSettings: links for 15 minutes, three per address in that
// time; sessions end after 8 hours unused or 30 days in all.
func DefaultSessionSettings() SessionSettings {
	return SessionSettings{LinkTTL: 15 * time.Minute, Idle: 8 * time.Hour, Absolute: 30 * 24 * time.Hour, LinksPerAddress: 3}
}

// ErrSignInLinkInvalid is the one answer to a link that is unknown, used
// or expired: which of the three is not said.
var ErrSignInLinkInvalid = errors.New("this sign-in link is not valid: it was used already or has expired; ask for a new one")

// ErrTooManySignInLinks is returned when an address asked for more links
// than LinksPerAddress within LinkTTL; the caller answers as if it sent
// one, so that the limit reveals nothing about the address.
var ErrTooManySignInLinks = errors.New("too many sign-in links asked for this address")

// Session is a signed-in browser. Only the hash of its cookie is kept.
type Session struct {
	ID         int64        `json:"id" gorm:"primaryKey"`
	Hash       string       `json:"-"`
	PersonID   int64        `json:"-"`
	Method     SignInMethod `json:"method"`
	UserAgent  string       `json:"user_agent"`
	CreatedAt  time.Time    `json:"created_at"`
	LastSeenAt time.Time    `json:"last_seen_at"`
	ExpiresAt  time.Time    `json:"expires_at"`
	RevokedAt  *time.Time   `json:"-"`
	// Current marks the session a listing was asked from.
	Current bool `json:"current" gorm:"-"`
}
