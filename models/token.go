package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
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

// CreateToken issues a token and returns it with its secret, which is
// shown this once and never stored.
func (s *Store) CreateToken(ctx context.Context, a Actor, in TokenInput) (*Token, string, error) {
	secret, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	t, err := s.insertToken(ctx, a, in, secret)
	return t, secret, err
}

// EnsureToken makes secret an admin token named name if it is not one
// already (JOINTCAL_BOOTSTRAP_ADMIN_TOKEN); revoked tokens stay revoked.
func (s *Store) EnsureToken(ctx context.Context, name, secret string) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Token{}).Where("hash = ?", HashToken(secret)).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err := s.insertToken(ctx, System(), TokenInput{Name: name, Role: RoleAdmin}, secret)
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return nil // another instance created it at the same moment
	}
	return err
}

func (s *Store) insertToken(ctx context.Context, a Actor, in TokenInput, secret string) (*Token, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	var t Token
	err := s.write(ctx, func(tx *gorm.DB) error {
		v := &ValidationError{}
		checkText(v, "name", in.Name, true, 200)
		if !in.Role.Valid() {
			v.add("role", "want admin, planner or viewer")
		}
		orgID := resolveField(tx, v, "organization", "organizations", "code", in.Organization)
		if in.Role == RolePlanner && in.Organization == "" {
			v.add("organization", "a planner token must be bound to an organisation")
		}
		if in.Role == RoleAdmin && in.Organization != "" {
			v.add("organization", "an admin token is not bound to an organisation")
		}
		now := s.now()
		if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
			v.add("expires_at", "must lie in the future")
		}
		if err := v.orNil(); err != nil {
			return err
		}
		t = Token{Name: in.Name, Role: in.Role, OrganizationID: nullID(orgID), Hash: HashToken(secret), CreatedAt: now, Scope: ScopeReadWrite}
		if in.ExpiresAt != nil {
			exp := in.ExpiresAt.UTC()
			t.ExpiresAt = &exp
		}
		if err := tx.Create(&t).Error; err != nil {
			return uniqueErr(err, "token", "(secret)")
		}
		if err := fillTokens(tx, []*Token{&t}); err != nil {
			return err
		}
		return s.audit(tx, a, "create", "token", t.ID, nil, t, "")
	})
	return &t, err
}

// Authenticate maps a presented secret to its actor. The lookup is by the
// hash, so comparing secrets never happens and timing reveals nothing. A
// personal token acts as its person with the grants they hold now, so a
// grant given or taken applies at its next request; the actor keeps the
// token's id (for the audit) and scope (for the read-only check).
func (s *Store) Authenticate(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, TokenPrefix) && len(secret) < 20 {
		return Actor{}, ErrUnauthenticated
	}
	var t Token
	err := s.db.WithContext(ctx).Where("hash = ?", HashToken(secret)).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Actor{}, ErrUnauthenticated
	}
	if err != nil {
		return Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if t.RevokedAt != nil {
		return Actor{}, fmt.Errorf("%w at %s", ErrTokenRevoked, t.RevokedAt.UTC().Format(time.RFC3339))
	}
	now := s.now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return Actor{}, fmt.Errorf("%w at %s", ErrTokenExpired, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	a := Actor{TokenID: t.ID, Name: "token:" + t.Name, Role: t.Role, OrganizationID: derefID(t.OrganizationID), Scope: t.Scope}
	if t.PersonID != nil {
		if a, err = s.ActorForPerson(ctx, *t.PersonID); err != nil {
			return Actor{}, fmt.Errorf("authenticate the personal token %d: %w", t.ID, err)
		}
		a.TokenID, a.Scope = t.ID, t.Scope
	}
	// Record use at most once a minute per token, to keep reads cheap.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		s.db.WithContext(ctx).Model(&Token{}).Where("id = ?", t.ID).Update("last_used_at", now) //nolint:errcheck // best effort
	}
	return a, nil
}

// ListTokens lists every token, personal ones with their owner (never
// their secrets); administrators only.
func (s *Store) ListTokens(ctx context.Context, a Actor) ([]Token, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	var ts []Token
	db := s.db.WithContext(ctx)
	if err := db.Order("id").Find(&ts).Error; err != nil {
		return nil, err
	}
	return ts, fillTokens(db, ptrs(ts))
}

// RevokeToken makes a token unusable at once; the row stays for the audit.
// A token revoked already is left as it was and reported with
// ErrTokenAlreadyRevoked, which names when it was revoked.
func (s *Store) RevokeToken(ctx context.Context, a Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var t Token
		if err := loadForUpdate(tx, &t, id, 0); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return fmt.Errorf("token %d: %w at %s", id, ErrTokenAlreadyRevoked, t.RevokedAt.UTC().Format(time.RFC3339))
		}
		now := s.now()
		t.RevokedAt = &now
		if err := tx.Model(&Token{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return s.audit(tx, a, "revoke", "token", t.ID, nil, t, "")
	})
}

func fillTokens(db *gorm.DB, ts []*Token) error {
	codes, err := orgCodes(db)
	if err != nil {
		return err
	}
	var personIDs []int64
	for _, t := range ts {
		t.OrganizationCode = codes[derefID(t.OrganizationID)]
		if t.PersonID != nil {
			personIDs = append(personIDs, *t.PersonID)
		}
	}
	if len(personIDs) == 0 {
		return nil
	}
	var people []Person
	if err := db.Select("id", "email").Where("id IN ?", personIDs).Find(&people).Error; err != nil {
		return fmt.Errorf("load the owners of personal tokens: %w", err)
	}
	emails := make(map[int64]string, len(people))
	for _, p := range people {
		emails[p.ID] = p.Email
	}
	for _, t := range ts {
		if t.PersonID != nil {
			t.Owner = emails[*t.PersonID]
		}
	}
	return nil
}
