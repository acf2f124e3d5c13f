package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// CreateToken issues a token and returns it with its secret, which is
// shown this once and never stored.
func (s *Store) CreateToken(ctx context.Context, a models.Actor, in models.TokenInput) (*models.Token, string, error) {
	secret, err := models.NewSecret()
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
	if err := s.db.WithContext(ctx).Model(&models.Token{}).Where("hash = ?", models.HashToken(secret)).Count(&n).Error; err != nil {
		return fmt.Errorf("count token: %w", err)
	}
	if n > 0 {
		return nil
	}
	_, err := s.insertToken(ctx, models.System(), models.TokenInput{Name: name, Role: models.RoleAdmin}, secret)
	var dup *models.DuplicateError
	if errors.As(err, &dup) {
		return nil // another instance created it at the same moment
	}
	return err
}

func (s *Store) insertToken(ctx context.Context, a models.Actor, in models.TokenInput, secret string) (*models.Token, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var t models.Token
	err := s.write(ctx, func(tx *gorm.DB) error {
		v := &models.ValidationError{}
		models.CheckText(v, "name", in.Name, true, 200)
		if !in.Role.Valid() {
			v.Add("role", "want admin, planner or viewer")
		}
		orgID := resolveField(tx, v, "organization", "organizations", "code", in.Organization)
		if in.Role == models.RolePlanner && in.Organization == "" {
			v.Add("organization", "a planner token must be bound to an organisation")
		}
		if in.Role == models.RoleAdmin && in.Organization != "" {
			v.Add("organization", "an admin token is not bound to an organisation")
		}
		now := s.now()
		if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
			v.Add("expires_at", "must lie in the future")
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		t = models.Token{Name: in.Name, Role: in.Role, OrganizationID: nullID(orgID), Hash: models.HashToken(secret), CreatedAt: now, Scope: models.ScopeReadWrite}
		if in.ExpiresAt != nil {
			exp := in.ExpiresAt.UTC()
			t.ExpiresAt = &exp
		}
		if err := tx.Create(&t).Error; err != nil {
			return uniqueErr(err, "token", "(secret)")
		}
		if err := fillTokens(tx, []*models.Token{&t}); err != nil {
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
func (s *Store) Authenticate(ctx context.Context, secret string) (models.Actor, error) {
	if !strings.HasPrefix(secret, models.TokenPrefix) && len(secret) < 20 {
		return models.Actor{}, models.ErrUnauthenticated
	}
	hash := models.HashToken(secret)
	now := s.now()
	t, cached, err := s.tokenByHash(ctx, hash, now)
	if err != nil {
		return models.Actor{}, err
	}
	if t.RevokedAt != nil {
		return models.Actor{}, fmt.Errorf("%w at %s", models.ErrTokenRevoked, t.RevokedAt.UTC().Format(time.RFC3339))
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return models.Actor{}, fmt.Errorf("%w at %s", models.ErrTokenExpired, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	a := models.Actor{TokenID: t.ID, Name: "token:" + t.Name, Role: t.Role, OrganizationID: derefID(t.OrganizationID), Scope: t.Scope}
	if t.PersonID != nil {
		if a, err = s.ActorForPerson(ctx, *t.PersonID); err != nil {
			return models.Actor{}, fmt.Errorf("authenticate the personal token %d: %w", t.ID, err)
		}
		a.TokenID, a.Scope = t.ID, t.Scope
	}
	// Record use at most once a minute per token, to keep reads cheap.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		s.db.WithContext(ctx).Model(&models.Token{}).Where("id = ?", t.ID).Update("last_used_at", now) //nolint:errcheck // best effort
		if cached {
			s.tokens.stamped(hash, now)
		}
	}
	return a, nil
}

// tokenByHash reads the token whose secret hashes to hash, from the
// service tokens kept in memory when it is one read less than
// tokenCacheTTL ago (token_cache.go); cached says it is kept there. A
// service token that is neither revoked nor expired is kept when read.
func (s *Store) tokenByHash(ctx context.Context, hash string, now time.Time) (t models.Token, cached bool, err error) {
	t, epoch, ok := s.tokens.get(hash, now)
	if ok {
		return t, true, nil
	}
	err = s.db.WithContext(ctx).Where("hash = ?", hash).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return t, false, models.ErrUnauthenticated
	}
	if err != nil {
		return t, false, fmt.Errorf("authenticate: %w", err)
	}
	if t.PersonID != nil || t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return t, false, nil
	}
	s.tokens.put(hash, t, now, epoch)
	return t, true, nil
}

// ListTokens lists every token, personal ones with their owner (never
// their secrets); administrators only.
func (s *Store) ListTokens(ctx context.Context, a models.Actor) ([]models.Token, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var ts []models.Token
	db := s.db.WithContext(ctx)
	if err := db.Order("id").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, fillTokens(db, ptrs(ts))
}

// RevokeToken makes a token unusable at once; the row stays for the audit.
// A token revoked already is left as it was and reported with
// ErrTokenAlreadyRevoked, which names when it was revoked.
func (s *Store) RevokeToken(ctx context.Context, a models.Actor, id int64) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		var t models.Token
		if err := loadForUpdate(tx, &t, id, 0); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return fmt.Errorf("token %d: %w at %s", id, models.ErrTokenAlreadyRevoked, t.RevokedAt.UTC().Format(time.RFC3339))
		}
		now := s.now()
		t.RevokedAt = &now
		if err := tx.Model(&models.Token{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("update token: %w", err)
		}
		return s.audit(tx, a, "revoke", "token", t.ID, nil, t, "")
	})
	// After the commit: a request that read the row before it must not
	// keep it (tokenCache.epoch), and the next one reads it revoked.
	s.tokens.invalidate()
	return err
}

func fillTokens(db *gorm.DB, ts []*models.Token) error {
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
	var people []models.Person
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
