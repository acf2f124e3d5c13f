package models

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"gorm.io/gorm"
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

func personalView(t *Token, now time.Time) PersonalToken {
	v := PersonalToken{ID: t.ID, Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt, Status: TokenActive}
	if t.ExpiresAt != nil {
		v.ExpiresAt = *t.ExpiresAt
	}
	switch {
	case t.RevokedAt != nil:
		v.Status = TokenRevoked
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		v.Status = TokenExpired
	}
	return v
}

// requireSignedInPerson refuses callers that cannot hold personal tokens:
// service tokens and the CLI are not people.
func (a Actor) requireSignedInPerson() error {
	if a.PersonID == 0 {
		return &ForbiddenError{Reason: "only a signed-in person has personal tokens; service tokens are issued by an administrator (jointcal token create)"}
	}
	return nil
}

// CreatePersonalToken issues a token bound to the signed-in person, with
// an expiry of at most maxLifetime (JOINTCAL_TOKEN_MAX_LIFETIME). The
// secret is returned this once and never stored. A token cannot mint
// tokens: otherwise a leaked token could outlive its own revocation
// through the tokens it made, so only a browser session may create one.
func (s *Store) CreatePersonalToken(ctx context.Context, a Actor, in PersonalTokenInput, maxLifetime time.Duration) (*PersonalToken, string, error) {
	if err := a.requireSignedInPerson(); err != nil {
		return nil, "", err
	}
	if a.TokenID != 0 {
		return nil, "", &ForbiddenError{Reason: "a token cannot create tokens; sign in with a browser session to create one"}
	}
	v := &ValidationError{}
	checkText(v, "name", in.Name, true, 200)
	if in.Scope == "" {
		in.Scope = ScopeReadWrite
	}
	if !in.Scope.Valid() {
		v.add("scope", "want read or read_write")
	}
	life := min(DefaultPersonalTokenLifetime, maxLifetime)
	if in.ExpiresIn != "" {
		d, err := isoduration.Parse(in.ExpiresIn)
		switch {
		case err != nil || d <= 0:
			v.add("expires_in", "want a positive ISO 8601 duration such as P90D")
		case d > maxLifetime:
			v.add("expires_in", "must be at most %s (JOINTCAL_TOKEN_MAX_LIFETIME)", isoduration.Format(maxLifetime))
		default:
			life = d
		}
	}
	if err := v.orNil(); err != nil {
		return nil, "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return nil, "", fmt.Errorf("create a personal token: %w", err)
	}
	var view PersonalToken
	err = s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		exp := now.Add(life).UTC().Truncate(time.Second)
		pid := a.PersonID
		t := Token{Name: in.Name, PersonID: &pid, Scope: in.Scope, Hash: HashToken(secret), CreatedAt: now, ExpiresAt: &exp}
		if err := tx.Create(&t).Error; err != nil {
			return uniqueErr(err, "token", "(secret)")
		}
		if err := fillTokens(tx, []*Token{&t}); err != nil {
			return err
		}
		view = personalView(&t, now)
		return s.audit(tx, a, "create", "token", t.ID, nil, t, "")
	})
	if err != nil {
		return nil, "", fmt.Errorf("create a personal token for person %d: %w", a.PersonID, err)
	}
	return &view, secret, nil
}

// ListPersonalTokens lists the caller's own tokens, newest first, revoked
// and expired ones included so that the person sees why one stopped
// working; never their secrets.
func (s *Store) ListPersonalTokens(ctx context.Context, a Actor) ([]PersonalToken, error) {
	if err := a.requireSignedInPerson(); err != nil {
		return nil, err
	}
	var ts []Token
	if err := s.db.WithContext(ctx).Where("person_id = ?", a.PersonID).Order("id DESC").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("list the tokens of person %d: %w", a.PersonID, err)
	}
	now := s.now()
	out := make([]PersonalToken, len(ts))
	for i := range ts {
		out[i] = personalView(&ts[i], now)
	}
	return out, nil
}

// RevokePersonalToken revokes one of the caller's own tokens. Another
// person's token answers ErrNotFound, exactly as a token that does not
// exist, so that nobody learns which ids are taken.
func (s *Store) RevokePersonalToken(ctx context.Context, a Actor, id int64) error {
	if err := a.requireSignedInPerson(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var t Token
		if err := loadForUpdate(tx, &t, id, 0); err != nil {
			return fmt.Errorf("load token %d: %w", id, err)
		}
		if t.PersonID == nil || *t.PersonID != a.PersonID {
			return fmt.Errorf("token %d of another owner: %w", id, ErrNotFound)
		}
		if t.RevokedAt != nil {
			return fmt.Errorf("token %d: %w at %s", id, ErrTokenAlreadyRevoked, t.RevokedAt.UTC().Format(time.RFC3339))
		}
		now := s.now()
		t.RevokedAt = &now
		if err := tx.Model(&Token{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if err := fillTokens(tx, []*Token{&t}); err != nil {
			return err
		}
		return s.audit(tx, a, "revoke", "token", t.ID, nil, t, "")
	})
}
