package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CreateFeed makes a feed and returns it with its secret token (shown once),
// if a may (Actor.canCreateFeed). An owner may have at most maxPerOwner
// live feeds: every feed is polled and cached, so their number is what
// bounds the work one organisation's tokens can ask of the service.
func (s *Store) CreateFeed(ctx context.Context, a models.Actor, in models.FeedInput, maxPerOwner int) (*models.Feed, string, error) {
	token, err := models.NewSecret()
	if err != nil {
		return nil, "", err
	}
	token = strings.TrimPrefix(token, models.TokenPrefix)
	var f models.Feed
	err = s.write(ctx, func(tx *gorm.DB) error {
		v := &models.ValidationError{}
		models.CheckText(v, "name", in.Name, true, 200)
		ownerID, ownerOrg := resolveOwner(tx, v, in.Owner)
		validateFeedFilter(tx, v, in.Filter)
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := a.CanCreateFeed(in.Owner.Type, ownerID, ownerOrg); err != nil {
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
		if err := tx.Model(&models.Feed{}).Where("owner_type = ? AND owner_id = ? AND revoked_at IS NULL", in.Owner.Type, ownerID).Count(&live).Error; err != nil {
			return fmt.Errorf("count the feeds of %s %d: %w", in.Owner.Type, ownerID, err)
		}
		if live >= int64(maxPerOwner) {
			v.Add("owner", "already has %d live feeds, the most one owner may have (JOINTCAL_MAX_FEEDS_PER_OWNER=%d); revoke one first", live, maxPerOwner)
			return v
		}
		raw, err := jsonMarshal(in.Filter)
		if err != nil {
			return err
		}
		now := s.now()
		f = models.Feed{Name: in.Name, OwnerType: in.Owner.Type, OwnerID: ownerID, FilterJSON: raw, TokenHash: models.HashFeedToken(token), CreatedAt: now, UpdatedAt: now}
		if a.TokenID != 0 {
			tid := a.TokenID
			f.CreatedByTokenID = &tid
		}
		if a.PersonID != 0 {
			pid := a.PersonID
			f.CreatedByPersonID = &pid
		}
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("create feed: %w", err)
		}
		if err := fillFeeds(tx, []*models.Feed{&f}); err != nil {
			return err
		}
		return s.audit(tx, a, "create", "feed", f.ID, nil, f, "")
	})
	return &f, token, err
}

// resolveOwner checks a feed owner and returns its id and organisation.
func resolveOwner(tx *gorm.DB, v *models.ValidationError, o models.FeedOwner) (id, org int64) {
	switch o.Type {
	case "person":
		id = resolveField(tx, v, "owner.id_or_code", "people", "email", o.IDOrCode)
		if id != 0 {
			var p models.Person
			if err := tx.First(&p, id).Error; err == nil {
				org = derefID(p.OrganizationID)
			}
		}
	case "organization":
		id = resolveField(tx, v, "owner.id_or_code", "organizations", "code", o.IDOrCode)
		org = id
	default:
		v.Add("owner.type", "want person or organization")
	}
	if o.IDOrCode == "" {
		v.Add("owner.id_or_code", "is required")
	}
	return id, org
}

func validateFeedFilter(tx *gorm.DB, v *models.ValidationError, f models.FeedFilter) {
	check := func(field, table, column string, refs []string) {
		for i, r := range refs {
			resolveField(tx, v, fmt.Sprintf("filter.%s[%d]", field, i), table, column, models.Ref(r))
		}
	}
	check("organizations", "organizations", "code", f.Organizations)
	check("bodies", "bodies", "code", f.Bodies)
	check("people", "people", "email", f.People)
	check("venues", "venues", "code", f.Venues)
	for i, k := range f.Kinds {
		models.CheckEnum(v, fmt.Sprintf("filter.kinds[%d]", i), k, models.EnumNames(models.Kinds())...)
	}
	for i, st := range f.Statuses {
		models.CheckEnum(v, fmt.Sprintf("filter.statuses[%d]", i), st, models.EnumNames(models.Statuses())...)
	}
}

// ListFeeds lists the actor's feeds (feedsOf; administrators: all).
func (s *Store) ListFeeds(ctx context.Context, a models.Actor, opts models.ListOptions) (models.Page[models.Feed], error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&models.Feed{}).Where("revoked_at IS NULL").Scopes(feedsOf(a))
	page, err := paginate(q, "id", opts, func(f models.Feed) int64 { return f.ID })
	if err != nil {
		return page, err
	}
	return page, fillFeeds(db, ptrs(page.Items))
}

// feedForChange loads a live feed the actor may manage.
func (s *Store) feedForChange(tx *gorm.DB, a models.Actor, id int64) (*models.Feed, error) {
	var f models.Feed
	if err := tx.Scopes(feedsOf(a)).Where("id = ? AND revoked_at IS NULL", id).First(&f).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load feed %d: %w", id, err)
	}
	return &f, fillFeeds(tx, []*models.Feed{&f})
}

// RevokeFeed kills a feed's URL for good.
func (s *Store) RevokeFeed(ctx context.Context, a models.Actor, id int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		f, err := s.feedForChange(tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&models.Feed{}).Where("id = ?", id).Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("update feed: %w", err)
		}
		return s.audit(tx, a, "revoke", "feed", id, f, nil, "")
	})
}

// RotateFeed issues a new secret URL; the old one stops working at once.
func (s *Store) RotateFeed(ctx context.Context, a models.Actor, id int64) (*models.Feed, string, error) {
	token, err := models.NewSecret()
	if err != nil {
		return nil, "", err
	}
	token = strings.TrimPrefix(token, models.TokenPrefix)
	var f *models.Feed
	err = s.write(ctx, func(tx *gorm.DB) error {
		if f, err = s.feedForChange(tx, a, id); err != nil {
			return err
		}
		f.TokenHash, f.UpdatedAt = models.HashFeedToken(token), s.now()
		if err := tx.Model(&models.Feed{}).Where("id = ?", id).Updates(map[string]any{"token_hash": f.TokenHash, "updated_at": f.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("update feed: %w", err)
		}
		return s.audit(tx, a, "rotate", "feed", id, nil, f, "")
	})
	return f, token, err
}

// FeedByToken resolves a feed URL token; unknown and revoked tokens are
// the same ErrNotFound. The lookup is by hash, so no secret is compared.
func (s *Store) FeedByToken(ctx context.Context, token string) (*models.Feed, error) {
	var f models.Feed
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", models.HashFeedToken(token)).First(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &f, fillFeeds(s.db.WithContext(ctx), []*models.Feed{&f})
}

// RecordFeedFetches adds polls to the feeds' statistics. The feeds are
// updated in id order: processes sharing a PostgreSQL database flush
// their batches at the same moments, and two batches locking the same
// rows in different orders deadlocked (each lost its counts a second later).
func (s *Store) RecordFeedFetches(ctx context.Context, fetches []models.FeedFetch) error {
	if len(fetches) == 0 {
		return nil
	}
	fetches = slices.Clone(fetches)
	slices.SortFunc(fetches, func(a, b models.FeedFetch) int { return cmp.Compare(a.FeedID, b.FeedID) })
	return s.write(ctx, func(tx *gorm.DB) error {
		for _, f := range fetches {
			ua := f.UserAgent
			if len(ua) > 300 {
				ua = ua[:300]
			}
			// UpdateColumns: a poll must not touch updated_at, which is
			// part of the feed's version (and so of its ETag).
			if err := tx.Model(&models.Feed{}).Where("id = ?", f.FeedID).UpdateColumns(map[string]any{
				"last_fetched_at": f.At, "last_user_agent": ua, "fetch_count": gorm.Expr("fetch_count + ?", f.Count),
			}).Error; err != nil {
				return fmt.Errorf("update feed: %w", err)
			}
		}
		return nil
	})
}

// Viewer is the visibility a feed's owner has.
func viewerFeed(f *models.Feed, tx *gorm.DB) (models.Viewer, error) {
	if f.OwnerType == "organization" {
		return models.Viewer{OrganizationID: f.OwnerID}, nil
	}
	var p models.Person
	if err := tx.First(&p, f.OwnerID).Error; err != nil {
		return models.Viewer{}, fmt.Errorf("viewer feed: %w", err)
	}
	return models.Viewer{OrganizationID: derefID(p.OrganizationID)}, nil
}

func fillFeeds(db *gorm.DB, feeds []*models.Feed) error {
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
		f.Owner = models.FeedOwner{Type: f.OwnerType, IDOrCode: models.Ref(r.Code)}
	}
	return nil
}
