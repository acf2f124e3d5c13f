package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

func personalView(t *models.Token, now time.Time) models.PersonalToken {
	v := models.PersonalToken{ID: t.ID, Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt, Status: models.TokenActive}
	if t.ExpiresAt != nil {
		v.ExpiresAt = *t.ExpiresAt
	}
	switch {
	case t.RevokedAt != nil:
		v.Status = models.TokenRevoked
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		v.Status = models.TokenExpired
	}
	return v
}

// CreatePersonalToken issues a token bound to the signed-in person, with
// an expiry of at most maxLifetime (JOINTCAL_TOKEN_MAX_LIFETIME). The
// secret is returned this once and never stored. A token cannot mint
// tokens: otherwise a leaked token could outlive its own revocation
// through the tokens it made, so only a browser session may create one.
func (s *Store) CreatePersonalToken(ctx context.Context, a models.Actor, in models.PersonalTokenInput, maxLifetime time.Duration) (*models.PersonalToken, string, error) {
	if err := a.RequireSignedInPerson(); err != nil {
		return nil, "", err
	}
	if a.TokenID != 0 {
		return nil, "", &models.ForbiddenError{Reason: "a token cannot create tokens; sign in with a browser session to create one"}
	}
	v := &models.ValidationError{}
	models.CheckText(v, "name", in.Name, true, 200)
	if in.Scope == "" {
		in.Scope = models.ScopeReadWrite
	}
	if !in.Scope.Valid() {
		v.Add("scope", "want read or read_write")
	}
	life := min(models.DefaultPersonalTokenLifetime, maxLifetime)
	if in.ExpiresIn != "" {
		d, err := isoduration.Parse(in.ExpiresIn)
		switch {
		case err != nil || d <= 0:
			v.Add("expires_in", "want a positive ISO 8601 duration such as P90D")
		case d > maxLifetime:
			v.Add("expires_in", "must be at most %s (JOINTCAL_TOKEN_MAX_LIFETIME)", isoduration.Format(maxLifetime))
		default:
			life = d
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, "", err
	}
	secret, err := models.NewSecret()
	if err != nil {
		return nil, "", fmt.Errorf("create a personal token: %w", err)
	}
	var view models.PersonalToken
	err = s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		exp := now.Add(life).UTC().Truncate(time.Second)
		pid := a.PersonID
		t := models.Token{Name: in.Name, PersonID: &pid, Scope: in.Scope, Hash: models.HashToken(secret), CreatedAt: now, ExpiresAt: &exp}
		if err := tx.Create(&t).Error; err != nil {
			return uniqueErr(err, "token", "(secret)")
		}
		if err := fillTokens(tx, []*models.Token{&t}); err != nil {
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
func (s *Store) ListPersonalTokens(ctx context.Context, a models.Actor) ([]models.PersonalToken, error) {
	if err := a.RequireSignedInPerson(); err != nil {
		return nil, err
	}
	var ts []models.Token
	if err := s.db.WithContext(ctx).Where("person_id = ?", a.PersonID).Order("id DESC").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("list the tokens of person %d: %w", a.PersonID, err)
	}
	now := s.now()
	out := make([]models.PersonalToken, len(ts))
	for i := range ts {
		out[i] = personalView(&ts[i], now)
	}
	return out, nil
}

// RevokePersonalToken revokes one of the caller's own tokens. Another
// person's token answers ErrNotFound, exactly as a token that does not
// exist, so that nobody learns which ids are taken.
func (s *Store) RevokePersonalToken(ctx context.Context, a models.Actor, id int64) error {
	if err := a.RequireSignedInPerson(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var t models.Token
		if err := loadForUpdate(tx, &t, id, 0); err != nil {
			return fmt.Errorf("load token %d: %w", id, err)
		}
		if t.PersonID == nil || *t.PersonID != a.PersonID {
			return fmt.Errorf("token %d of another owner: %w", id, models.ErrNotFound)
		}
		if t.RevokedAt != nil {
			return fmt.Errorf("token %d: %w at %s", id, models.ErrTokenAlreadyRevoked, t.RevokedAt.UTC().Format(time.RFC3339))
		}
		now := s.now()
		t.RevokedAt = &now
		if err := tx.Model(&models.Token{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if err := fillTokens(tx, []*models.Token{&t}); err != nil {
			return err
		}
		return s.audit(tx, a, "revoke", "token", t.ID, nil, t, "")
	})
}
