package storage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// oidcActor is who the audit names for what the identity provider's
// answer does (people created, grants synced, failed sign-ins).
func oidcActor(personID int64) models.Actor { return models.Actor{PersonID: personID, Name: "oidc"} }

// grantSourceOIDC marks a grant given by a provider group mapping; grants
// made by hand have an empty source.
const grantSourceOIDC = "oidc"

// oidcLogin is one sign-in attempt between the redirect to the provider
// and its return: the nonce the ID token must carry and the PKCE verifier
// of the code exchange. Only the state's hash is kept, as for tokens.
type oidcLogin struct {
	ID        int64 `gorm:"primaryKey"`
	StateHash string
	Nonce     string
	Verifier  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (oidcLogin) TableName() string { return "oidc_logins" }

// SaveOIDCLogin remembers a sign-in attempt for ttl, and forgets the
// attempts that were never completed.
func (s *Store) SaveOIDCLogin(ctx context.Context, state, nonce, verifier string, ttl time.Duration) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := tx.Where("expires_at <= ?", now).Delete(&oidcLogin{}).Error; err != nil {
			return fmt.Errorf("purge expired OIDC sign-in attempts: %w", err)
		}
		if err := tx.Create(&oidcLogin{StateHash: models.HashToken(state), Nonce: nonce, Verifier: verifier, CreatedAt: now, ExpiresAt: now.Add(ttl)}).Error; err != nil {
			return fmt.Errorf("store OIDC sign-in attempt: %w", err)
		}
		return nil
	})
}

// TakeOIDCLogin uses up the attempt of a state, once: a second return
// with the same state (a replay) gets ErrOIDCLoginInvalid.
func (s *Store) TakeOIDCLogin(ctx context.Context, state string) (nonce, verifier string, err error) {
	err = s.write(ctx, func(tx *gorm.DB) error {
		var ls []oidcLogin
		if err := tx.Where("state_hash = ?", models.HashToken(state)).Limit(1).Find(&ls).Error; err != nil {
			return fmt.Errorf("load OIDC sign-in attempt: %w", err)
		}
		if len(ls) == 0 {
			return models.ErrOIDCLoginInvalid
		}
		// The delete decides: of two concurrent returns, one deletes it.
		res := tx.Where("id = ?", ls[0].ID).Delete(&oidcLogin{})
		if res.Error != nil {
			return fmt.Errorf("use OIDC sign-in attempt: %w", res.Error)
		}
		if res.RowsAffected != 1 || !s.now().Before(ls[0].ExpiresAt) {
			return models.ErrOIDCLoginInvalid
		}
		nonce, verifier = ls[0].Nonce, ls[0].Verifier
		return nil
	})
	return nonce, verifier, err
}

// oidcGrantRow is a person_grants row with its source, which Grant does
// not show.
type oidcGrantRow struct {
	ID             int64 `gorm:"primaryKey"`
	PersonID       int64
	Role           models.Role
	OrganizationID *int64
	CreatedAt      time.Time
	Source         string
}

func (oidcGrantRow) TableName() string { return "person_grants" }

// OIDCPerson finds the person a provider vouched for, creating them when
// create is set and nobody has the address, and syncs the grants their
// groups give: grants that came from groups and are no longer given are
// withdrawn, grants made by hand are never touched. An unknown address
// without create is ErrNotFound; a grant on an unknown organisation is
// ErrOIDCMapping, and then nothing changes.
func (s *Store) OIDCPerson(ctx context.Context, id models.OIDCIdentity, create bool) (personID int64, created bool, err error) {
	email := strings.TrimSpace(id.Email)
	err = s.write(ctx, func(tx *gorm.DB) error {
		codes, err := orgCodes(tx)
		if err != nil {
			return err
		}
		orgOf := map[string]int64{}
		for oid, code := range codes {
			orgOf[strings.ToUpper(code)] = oid
		}
		type want struct {
			role models.Role
			org  int64
		}
		var wanted []want
		for _, g := range id.Grants {
			w := want{role: g.Role}
			if g.Organization != "" {
				oid, ok := orgOf[strings.ToUpper(g.Organization)]
				if !ok {
					return fmt.Errorf("%w: %q", models.ErrOIDCMapping, g.Organization)
				}
				w.org = oid
			}
			wanted = append(wanted, w)
		}
		// The strongest grant first: it decides the organisation of a
		// person created now.
		sort.SliceStable(wanted, func(i, j int) bool { return wanted[i].role.Rank() > wanted[j].role.Rank() })

		people, err := oidcAccountPerson(tx, id.Account, email)
		if err != nil {
			return err
		}
		if len(people) == 0 {
			if !create {
				return models.ErrNotFound
			}
			var orgID int64
			for _, w := range wanted {
				if w.org != 0 {
					orgID = w.org
					break
				}
			}
			p, err := s.createOIDCPerson(tx, id, email, orgID)
			if err != nil {
				return err
			}
			people, created = []models.Person{*p}, true
		}
		personID = people[0].ID
		if id.Account != "" && people[0].OIDCSubject == nil {
			if err := tx.Model(&models.Person{}).Where("id = ?", personID).Update("oidc_subject", id.Account).Error; err != nil {
				return fmt.Errorf("bind person %d to their identity-provider account: %w", personID, err)
			}
		}
		if !id.SyncGrants {
			return nil
		}
		var have []oidcGrantRow
		if err := tx.Where("person_id = ?", personID).Order("id").Find(&have).Error; err != nil {
			return fmt.Errorf("load the grants of person %d: %w", personID, err)
		}
		key := func(r models.Role, org *int64) want { return want{role: r, org: derefID(org)} }
		held := map[want]bool{}
		for _, g := range have {
			held[key(g.Role, g.OrganizationID)] = true
		}
		given := map[want]bool{}
		a := oidcActor(personID)
		for _, w := range wanted {
			given[w] = true
			if held[w] {
				continue
			}
			held[w] = true
			row := oidcGrantRow{PersonID: personID, Role: w.role, OrganizationID: nullID(w.org), CreatedAt: s.now(), Source: grantSourceOIDC}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("grant %s to person %d from a provider group: %w", w.role, personID, err)
			}
			g := models.Grant{ID: row.ID, PersonID: personID, Role: w.role, OrganizationID: row.OrganizationID, CreatedAt: row.CreatedAt}
			if err := fillGrants(tx, []*models.Grant{&g}); err != nil {
				return err
			}
			if err := s.audit(tx, a, "grant", "person", personID, nil, g, "given by an identity-provider group"); err != nil {
				return err
			}
		}
		for _, h := range have {
			if h.Source != grantSourceOIDC || given[key(h.Role, h.OrganizationID)] {
				continue
			}
			if err := tx.Delete(&oidcGrantRow{}, h.ID).Error; err != nil {
				return fmt.Errorf("withdraw grant %d of person %d: %w", h.ID, personID, err)
			}
			g := models.Grant{ID: h.ID, PersonID: personID, Role: h.Role, OrganizationID: h.OrganizationID, CreatedAt: h.CreatedAt}
			if err := fillGrants(tx, []*models.Grant{&g}); err != nil {
				return err
			}
			if err := s.audit(tx, a, "revoke_grant", "person", personID, g, nil, "the identity-provider group no longer gives it"); err != nil {
				return err
			}
		}
		return nil
	})
	return personID, created, err
}

// createOIDCPerson adds the person a provider vouched for, named by the
// token's name claim (or the address), in the token's time zone when it
// names a valid one, else UTC.
func (s *Store) createOIDCPerson(tx *gorm.DB, id models.OIDCIdentity, email string, orgID int64) (*models.Person, error) {
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = email
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	zone := "UTC"
	if zv := (&models.ValidationError{}); id.ZoneInfo != "" {
		if models.CheckZone(zv, "timezone", id.ZoneInfo, false); zv.OrNil() == nil {
			zone = id.ZoneInfo
		}
	}
	v := &models.ValidationError{}
	models.CheckEmail(v, "email", email, true)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	now := s.now()
	p := models.Person{Name: name, Email: email, TimeZone: zone, OrganizationID: nullID(orgID), Language: "en", Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&p).Error; err != nil {
		return nil, uniqueErr(err, "email", email)
	}
	if err := fillPeople(tx, []*models.Person{&p}); err != nil {
		return nil, err
	}
	if err := s.audit(tx, oidcActor(p.ID), "create", "person", p.ID, nil, p, "first sign-in through the identity provider"); err != nil {
		return nil, err
	}
	return &p, nil
}

// AuditFailedSignIn records a refused sign-in (an address nobody has, a
// grant mapping that cannot be applied) with the address and the reason,
// never a secret; personID is 0 when no person is known.
func (s *Store) AuditFailedSignIn(ctx context.Context, method models.SignInMethod, personID int64, email, reason string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		return s.audit(tx, models.Actor{PersonID: personID, Name: string(method)}, "sign_in_failed", "person", personID, nil, map[string]any{"method": method, "email": email}, reason)
	})
}

// oidcAccountPerson finds the person of a provider account: by the
// account once bound, else by address for a person not yet bound to one.
func oidcAccountPerson(tx *gorm.DB, account, email string) ([]models.Person, error) {
	var people []models.Person
	if account != "" {
		if err := tx.Where("oidc_subject = ?", account).Limit(1).Find(&people).Error; err != nil {
			return nil, fmt.Errorf("find the person of an identity-provider account: %w", err)
		}
		if len(people) == 1 {
			return people, nil
		}
	}
	if err := tx.Where("LOWER(email) = LOWER(?)", email).Order("id").Limit(1).Find(&people).Error; err != nil {
		return nil, fmt.Errorf("find the person of %s: %w", email, err)
	}
	if len(people) == 1 && people[0].OIDCSubject != nil && *people[0].OIDCSubject != account {
		return nil, models.ErrOIDCAccountMismatch
	}
	return people, nil
}
