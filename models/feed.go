package models

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FeedFilter selects what a feed publishes. Lists are ORed within a field
// and ANDed across fields; an empty list does not filter.
type FeedFilter struct {
	Organizations []string `json:"organizations,omitempty"`
	Bodies        []string `json:"bodies,omitempty"`
	People        []string `json:"people,omitempty"`
	Venues        []string `json:"venues,omitempty"`
	Kinds         []string `json:"kinds,omitempty"`
	Areas         []string `json:"areas,omitempty"`
	Series        []string `json:"series,omitempty"`
	Statuses      []string `json:"statuses,omitempty"`
}

// FeedOwner is whose eyes a feed sees with: a person (their organisation's
// visibility) or an organisation.
type FeedOwner struct {
	Type     string `json:"type"`
	IDOrCode Ref    `json:"id_or_code"`
}

// Feed is an iCalendar subscription with a secret URL.
type Feed struct {
	ID               int64      `json:"id" gorm:"primaryKey"`
	Name             string     `json:"name"`
	OwnerType        string     `json:"-"`
	OwnerID          int64      `json:"-"`
	Owner            FeedOwner  `json:"owner" gorm:"-"`
	FilterJSON       RawJSON    `json:"-" gorm:"column:filter;type:text"`
	Filter           FeedFilter `json:"filter" gorm:"-"`
	TokenHash        string     `json:"-"`
	CreatedByTokenID *int64     `json:"-"`
	// CreatedByPersonID is the signed-in person who made the feed.
	CreatedByPersonID *int64     `json:"-"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	RevokedAt         *time.Time `json:"revoked_at,omitempty"`
	LastFetchedAt     *time.Time `json:"last_fetched_at"`
	FetchCount        int64      `json:"fetch_count"`
	LastUserAgent     string     `json:"last_user_agent"`
}

// FeedInput creates a feed.
type FeedInput struct {
	Name   string     `json:"name"`
	Owner  FeedOwner  `json:"owner"`
	Filter FeedFilter `json:"filter"`
}

// HashFeedToken is the at-rest form of a feed URL token.
func HashFeedToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateFeed makes a feed and returns it with its secret token (shown once),
// if a may (Actor.canCreateFeed). An owner may have at most maxPerOwner
// live feeds: every feed is polled and cached, so their number is what
// bounds the work one organisation's tokens can ask of the service.
func (s *Store) CreateFeed(ctx context.Context, a Actor, in FeedInput, maxPerOwner int) (*Feed, string, error) {
	token, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	token = strings.TrimPrefix(token, TokenPrefix)
	var f Feed
	err = s.write(ctx, func(tx *gorm.DB) error {
		v := &ValidationError{}
		checkText(v, "name", in.Name, true, 200)
		ownerID, ownerOrg := resolveOwner(tx, v, in.Owner)
		validateFeedFilter(tx, v, in.Filter)
		if err := v.orNil(); err != nil {
			return err
		}
		if err := a.canCreateFeed(in.Owner.Type, ownerID, ownerOrg); err != nil {
			return err
		}
		// On PostgreSQL the owner's row is locked, so that two feeds
		// created at once cannot both pass the count below (SQLite has
		// one writer at a time already).
		if tx.Dialector.Name() == "postgres" {
			var ids []int64
			if err := tx.Table(nameTables[in.Owner.Type][0]).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", ownerID).Pluck("id", &ids).Error; err != nil {
				return fmt.Errorf("lock the owner of a new feed: %w", err)
			}
		}
		var live int64
		if err := tx.Model(&Feed{}).Where("owner_type = ? AND owner_id = ? AND revoked_at IS NULL", in.Owner.Type, ownerID).Count(&live).Error; err != nil {
			return fmt.Errorf("count the feeds of %s %d: %w", in.Owner.Type, ownerID, err)
		}
		if live >= int64(maxPerOwner) {
			v.add("owner", "already has %d live feeds, the most one owner may have (JOINTCAL_MAX_FEEDS_PER_OWNER=%d); revoke one first", live, maxPerOwner)
			return v
		}
		raw, err := jsonMarshal(in.Filter)
		if err != nil {
			return err
		}
		now := s.now()
		f = Feed{Name: in.Name, OwnerType: in.Owner.Type, OwnerID: ownerID, FilterJSON: raw, TokenHash: HashFeedToken(token), CreatedAt: now, UpdatedAt: now}
		if a.TokenID != 0 {
			tid := a.TokenID
			f.CreatedByTokenID = &tid
		}
		if a.PersonID != 0 {
			pid := a.PersonID
			f.CreatedByPersonID = &pid
		}
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		if err := fillFeeds(tx, []*Feed{&f}); err != nil {
			return err
		}
		return s.audit(tx, a, "create", "feed", f.ID, nil, f, "")
	})
	return &f, token, err
}

// resolveOwner checks a feed owner and returns its id and organisation.
func resolveOwner(tx *gorm.DB, v *ValidationError, o FeedOwner) (id, org int64) {
	switch o.Type {
	case "person":
		id = resolveField(tx, v, "owner.id_or_code", "people", "email", o.IDOrCode)
		if id != 0 {
			var p Person
			if err := tx.First(&p, id).Error; err == nil {
				org = derefID(p.OrganizationID)
			}
		}
	case "organization":
		id = resolveField(tx, v, "owner.id_or_code", "organizations", "code", o.IDOrCode)
		org = id
	default:
		v.add("owner.type", "want person or organization")
	}
	if o.IDOrCode == "" {
		v.add("owner.id_or_code", "is required")
	}
	return id, org
}

func validateFeedFilter(tx *gorm.DB, v *ValidationError, f FeedFilter) {
	check := func(field, table, column string, refs []string) {
		for i, r := range refs {
			resolveField(tx, v, fmt.Sprintf("filter.%s[%d]", field, i), table, column, Ref(r))
		}
	}
	check("organizations", "organizations", "code", f.Organizations)
	check("bodies", "bodies", "code", f.Bodies)
	check("people", "people", "email", f.People)
	check("venues", "venues", "code", f.Venues)
	for i, k := range f.Kinds {
		checkEnum(v, fmt.Sprintf("filter.kinds[%d]", i), k, names(Kinds())...)
	}
	for i, st := range f.Statuses {
		checkEnum(v, fmt.Sprintf("filter.statuses[%d]", i), st, names(Statuses())...)
	}
}

// ListFeeds lists the actor's feeds (feedsOf; administrators: all).
func (s *Store) ListFeeds(ctx context.Context, a Actor, opts ListOptions) (Page[Feed], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&Feed{}).Where("revoked_at IS NULL").Scopes(feedsOf(a))
	page, err := paginate(q, "id", opts, func(f Feed) int64 { return f.ID })
	if err != nil {
		return page, err
	}
	return page, fillFeeds(db, ptrs(page.Items))
}

// feedForChange loads a live feed the actor may manage.
func (s *Store) feedForChange(tx *gorm.DB, a Actor, id int64) (*Feed, error) {
	var f Feed
	if err := tx.Scopes(feedsOf(a)).Where("id = ? AND revoked_at IS NULL", id).First(&f).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("load feed %d: %w", id, err)
	}
	return &f, fillFeeds(tx, []*Feed{&f})
}

// RevokeFeed kills a feed's URL for good.
func (s *Store) RevokeFeed(ctx context.Context, a Actor, id int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		f, err := s.feedForChange(tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&Feed{}).Where("id = ?", id).Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return s.audit(tx, a, "revoke", "feed", id, f, nil, "")
	})
}

// RotateFeed issues a new secret URL; the old one stops working at once.
func (s *Store) RotateFeed(ctx context.Context, a Actor, id int64) (*Feed, string, error) {
	token, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	token = strings.TrimPrefix(token, TokenPrefix)
	var f *Feed
	err = s.write(ctx, func(tx *gorm.DB) error {
		if f, err = s.feedForChange(tx, a, id); err != nil {
			return err
		}
		f.TokenHash, f.UpdatedAt = HashFeedToken(token), s.now()
		if err := tx.Model(&Feed{}).Where("id = ?", id).Updates(map[string]any{"token_hash": f.TokenHash, "updated_at": f.UpdatedAt}).Error; err != nil {
			return err
		}
		return s.audit(tx, a, "rotate", "feed", id, nil, f, "")
	})
	return f, token, err
}

// FeedByToken resolves a feed URL token; unknown and revoked tokens are
// the same ErrNotFound. The lookup is by hash, so no secret is compared.
func (s *Store) FeedByToken(ctx context.Context, token string) (*Feed, error) {
	var f Feed
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", HashFeedToken(token)).First(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &f, fillFeeds(s.db.WithContext(ctx), []*Feed{&f})
}

// FeedFetch is one subscriber poll, recorded in batches.
type FeedFetch struct {
	FeedID    int64
	At        time.Time
	UserAgent string
	Count     int64
}

// RecordFeedFetches adds polls to the feeds' statistics. The feeds are
// updated in id order: processes sharing a PostgreSQL database flush
// their batches at the same moments, and two batches locking the same
// rows in different orders deadlocked (each lost its counts a second later).
func (s *Store) RecordFeedFetches(ctx context.Context, fetches []FeedFetch) error {
	if len(fetches) == 0 {
		return nil
	}
	fetches = slices.Clone(fetches)
	slices.SortFunc(fetches, func(a, b FeedFetch) int { return cmp.Compare(a.FeedID, b.FeedID) })
	return s.write(ctx, func(tx *gorm.DB) error {
		for _, f := range fetches {
			ua := f.UserAgent
			if len(ua) > 300 {
				ua = ua[:300]
			}
			// UpdateColumns: a poll must not touch updated_at, which is
			// part of the feed's version (and so of its ETag).
			if err := tx.Model(&Feed{}).Where("id = ?", f.FeedID).UpdateColumns(map[string]any{
				"last_fetched_at": f.At, "last_user_agent": ua, "fetch_count": gorm.Expr("fetch_count + ?", f.Count),
			}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// Viewer is the visibility a feed's owner has.
func (f *Feed) viewer(tx *gorm.DB) (Viewer, error) {
	if f.OwnerType == "organization" {
		return Viewer{OrganizationID: f.OwnerID}, nil
	}
	var p Person
	if err := tx.First(&p, f.OwnerID).Error; err != nil {
		return Viewer{}, err
	}
	return Viewer{OrganizationID: derefID(p.OrganizationID)}, nil
}

func fillFeeds(db *gorm.DB, feeds []*Feed) error {
	names := newNameCache(db)
	for _, f := range feeds {
		if len(f.FilterJSON) > 0 {
			if err := jsonUnmarshal(f.FilterJSON, &f.Filter); err != nil {
				return err
			}
		}
		r, err := names.resource(f.OwnerType, f.OwnerID)
		if err != nil {
			return err
		}
		f.Owner = FeedOwner{Type: f.OwnerType, IDOrCode: Ref(r.Code)}
	}
	return nil
}
