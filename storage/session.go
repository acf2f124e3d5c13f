package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// signInLink is an e-mailed one-time link; only its hash is kept.
type signInLink struct {
	ID        int64 `gorm:"primaryKey"`
	Hash      string
	PersonID  int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (signInLink) TableName() string { return "signin_links" }

// CreateSignInLink issues a one-time sign-in link secret for the person
// with that e-mail address. An unknown address yields ErrNotFound; the
// caller must answer exactly as for a known one (no enumeration).
func (s *Store) CreateSignInLink(ctx context.Context, email string, set models.SessionSettings) (secret string, p *models.Person, err error) {
	email = strings.TrimSpace(email)
	err = s.write(ctx, func(tx *gorm.DB) error {
		var people []models.Person
		q := tx.Where("LOWER(email) = LOWER(?)", email).Order("id").Limit(1)
		if tx.Dialector.Name() == "postgres" {
			// Locked, so that concurrent requests cannot all pass the
			// count of recent links below.
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Find(&people).Error; err != nil {
			return fmt.Errorf("find the person of a sign-in link: %w", err)
		}
		if len(people) == 0 {
			return models.ErrNotFound
		}
		p = &people[0]
		now := s.now()
		var recent int64
		if err := tx.Model(&signInLink{}).Where("person_id = ? AND created_at > ?", p.ID, now.Add(-set.LinkTTL)).Count(&recent).Error; err != nil {
			return fmt.Errorf("count recent sign-in links: %w", err)
		}
		if int(recent) >= set.LinksPerAddress {
			return models.ErrTooManySignInLinks
		}
		if secret, err = models.NewSecret(); err != nil {
			return err
		}
		if err := tx.Create(&signInLink{Hash: models.HashToken(secret), PersonID: p.ID, CreatedAt: now, ExpiresAt: now.Add(set.LinkTTL)}).Error; err != nil {
			return fmt.Errorf("store sign-in link: %w", err)
		}
		return s.audit(tx, models.Actor{PersonID: p.ID, Name: "person:" + p.Email}, "signin_link", "person", p.ID, nil, nil, "")
	})
	return secret, p, err
}

// RedeemSignInLink uses a link once and opens a session for its person:
// the session's secret (for the cookie) and the actor it stands for.
func (s *Store) RedeemSignInLink(ctx context.Context, linkSecret, userAgent string, set models.SessionSettings) (string, models.Actor, error) {
	var personID int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&signInLink{}).Where("hash = ? AND used_at IS NULL AND expires_at > ?", models.HashToken(linkSecret), now).Update("used_at", now)
		if res.Error != nil {
			return fmt.Errorf("use sign-in link: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return models.ErrSignInLinkInvalid
		}
		var l signInLink
		if err := tx.Where("hash = ?", models.HashToken(linkSecret)).First(&l).Error; err != nil {
			return fmt.Errorf("load sign-in link: %w", err)
		}
		personID = l.PersonID
		return nil
	})
	if err != nil {
		return "", models.Actor{}, err
	}
	return s.StartSession(ctx, personID, models.SignInLink, userAgent, set)
}

// StartSession opens a session for a person who has just proved who they
// are (a link, an identity provider, the demo), always under a new
// secret, and audits the sign-in.
func (s *Store) StartSession(ctx context.Context, personID int64, method models.SignInMethod, userAgent string, set models.SessionSettings) (string, models.Actor, error) {
	if err := s.bootstrapAdmin(ctx, personID, set.BootstrapAdminEmail); err != nil {
		return "", models.Actor{}, err
	}
	a, err := s.ActorForPerson(ctx, personID)
	if err != nil {
		return "", models.Actor{}, err
	}
	secret, err := models.NewSecret()
	if err != nil {
		return "", models.Actor{}, err
	}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		sess := models.Session{Hash: models.HashToken(secret), PersonID: personID, Method: method, UserAgent: userAgent, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(set.Absolute)}
		if err := tx.Create(&sess).Error; err != nil {
			return fmt.Errorf("store session: %w", err)
		}
		return s.audit(tx, a, "sign_in", "person", personID, nil, map[string]any{"method": method, "session": sess.ID}, "")
	})
	return secret, a, err
}

// SessionActor maps a session cookie to its actor, ending it when it was
// idle too long or is past its absolute end; it records use at most once
// a minute. The lookup is by hash, so no secret is ever compared.
func (s *Store) SessionActor(ctx context.Context, secret string, set models.SessionSettings) (models.Actor, int64, error) {
	db := s.db.WithContext(ctx)
	var sess models.Session
	err := db.Where("hash = ? AND revoked_at IS NULL", models.HashToken(secret)).First(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Actor{}, 0, models.ErrUnauthenticated
	}
	if err != nil {
		return models.Actor{}, 0, fmt.Errorf("load session: %w", err)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > set.Idle {
		return models.Actor{}, 0, models.ErrUnauthenticated
	}
	a, err := s.ActorForPerson(ctx, sess.PersonID)
	if err != nil {
		return models.Actor{}, 0, err
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		db.Model(&models.Session{}).Where("id = ?", sess.ID).Update("last_seen_at", now) //nolint:errcheck // best effort, like token use
	}
	return a, sess.ID, nil
}

// EndSession signs a session out.
func (s *Store) EndSession(ctx context.Context, a models.Actor, sessionID int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.Session{}).Where("id = ? AND person_id = ? AND revoked_at IS NULL", sessionID, a.PersonID).Update("revoked_at", s.now())
		if res.Error != nil {
			return fmt.Errorf("end session %d: %w", sessionID, res.Error)
		}
		if res.RowsAffected == 0 {
			return models.ErrNotFound
		}
		return s.audit(tx, a, "sign_out", "person", a.PersonID, nil, map[string]any{"session": sessionID}, "")
	})
}

// EndAllSessions signs a person out everywhere.
func (s *Store) EndAllSessions(ctx context.Context, a models.Actor) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.Session{}).Where("person_id = ? AND revoked_at IS NULL", a.PersonID).Update("revoked_at", s.now())
		if res.Error != nil {
			return fmt.Errorf("end the sessions of person %d: %w", a.PersonID, res.Error)
		}
		n = res.RowsAffected
		return s.audit(tx, a, "sign_out_everywhere", "person", a.PersonID, nil, map[string]any{"sessions": n}, "")
	})
	return n, err
}

// ListSessions lists the person's open sessions, newest first.
func (s *Store) ListSessions(ctx context.Context, a models.Actor, current int64, set models.SessionSettings) ([]models.Session, error) {
	now := s.now()
	var out []models.Session
	err := s.db.WithContext(ctx).Where("person_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?", a.PersonID, now, now.Add(-set.Idle)).
		Order("created_at DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	for i := range out {
		out[i].Current = out[i].ID == current
	}
	return out, nil
}

// bootstrapAdmin makes the person an administrator if their address is
// the configured bootstrap address, once in the life of the database and
// only while no person is an administrator: a new deployment's first
// administrator is whoever owns that mailbox (or that identity-provider
// account), and an administrator who later withdraws the grant must not
// see it come back at the next sign-in.
func (s *Store) bootstrapAdmin(ctx context.Context, personID int64, email string) error {
	if email == "" {
		return nil
	}
	var p models.Person
	if err := s.db.WithContext(ctx).First(&p, personID).Error; err != nil {
		return fmt.Errorf("load person %d: %w", personID, err)
	}
	if !strings.EqualFold(p.Email, email) {
		return nil
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var done, admins int64
		if err := tx.Table("scheduler_state").Where("name = ?", "bootstrap_admin").Count(&done).Error; err != nil {
			return fmt.Errorf("read the bootstrap state: %w", err)
		}
		if err := tx.Model(&models.Grant{}).Where("role = ?", models.RoleAdmin).Count(&admins).Error; err != nil {
			return fmt.Errorf("count administrators: %w", err)
		}
		if done > 0 || admins > 0 {
			return nil
		}
		a := models.Actor{Name: "bootstrap (JOINTCAL_BOOTSTRAP_ADMIN_EMAIL)", Role: models.RoleAdmin}
		g := models.Grant{PersonID: p.ID, Role: models.RoleAdmin, CreatedAt: s.now()}
		if err := tx.Create(&g).Error; err != nil {
			return fmt.Errorf("grant the bootstrap administrator: %w", err)
		}
		if err := tx.Exec(`INSERT INTO scheduler_state (name, value_s) VALUES ('bootstrap_admin', ?)`, p.ID).Error; err != nil {
			return fmt.Errorf("record the bootstrap administrator: %w", err)
		}
		if err := fillGrants(tx, []*models.Grant{&g}); err != nil {
			return err
		}
		return s.audit(tx, a, "grant", "person", p.ID, nil, g, "the first administrator (JOINTCAL_BOOTSTRAP_ADMIN_EMAIL)")
	})
}

// CreateDemoSignInLink issues a one-time link for a person without the
// per-address limit, valid for ttl: `serve --demo` prints one for each
// demo account, on the terminal only.
func (s *Store) CreateDemoSignInLink(ctx context.Context, email string, ttl time.Duration) (string, error) {
	secret, err := models.NewSecret()
	if err != nil {
		return "", err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		id, err := resolve(tx, "people", "email", models.Ref(email))
		if err != nil {
			return fmt.Errorf("demo sign-in link for %s: %w", email, err)
		}
		now := s.now()
		// The links of earlier starts stop working: only the ones printed
		// last may be used.
		if err := tx.Model(&signInLink{}).Where("person_id = ? AND used_at IS NULL", id).Update("used_at", now).Error; err != nil {
			return fmt.Errorf("end earlier demo links of %s: %w", email, err)
		}
		return tx.Create(&signInLink{Hash: models.HashToken(secret), PersonID: id, CreatedAt: now, ExpiresAt: now.Add(ttl)}).Error
	})
	return secret, err
}

// SignInLinkEmail is the address of the person a usable link signs in,
// without using it: the page that asks for the button press shows it.
func (s *Store) SignInLinkEmail(ctx context.Context, linkSecret string) (string, error) {
	var emails []string
	err := s.db.WithContext(ctx).Table("signin_links").Joins("JOIN people ON people.id = signin_links.person_id").
		Where("signin_links.hash = ? AND signin_links.used_at IS NULL AND signin_links.expires_at > ?", models.HashToken(linkSecret), s.now()).
		Pluck("people.email", &emails).Error
	if err != nil {
		return "", fmt.Errorf("look up a sign-in link: %w", err)
	}
	if len(emails) == 0 {
		return "", models.ErrSignInLinkInvalid
	}
	return emails[0], nil
}

// EndSessionSecret ends the session of a cookie its holder is replacing
// (a new sign-in in the same browser); an unknown or ended one is no
// error.
func (s *Store) EndSessionSecret(ctx context.Context, secret string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.Session{}).Where("hash = ? AND revoked_at IS NULL", models.HashToken(secret)).Update("revoked_at", s.now()).Error; err != nil {
			return fmt.Errorf("end a replaced session: %w", err)
		}
		return nil
	})
}
