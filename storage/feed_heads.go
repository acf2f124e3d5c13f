package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FeedHead is what a feed's answer starts with, kept from its last layout
// (migration 0054): the head bytes, the Last-Modified (Unix seconds) and
// the whole answer's size, valid only for the feed version and render tag
// it was laid out for.
type FeedHead struct {
	FeedID  int64  `gorm:"column:feed_id;primaryKey"`
	Version string `gorm:"column:version"`
	Tag     string `gorm:"column:tag"`
	StampS  int64  `gorm:"column:stamp_s"`
	Size    int64  `gorm:"column:size"`
	Head    []byte `gorm:"column:head"`
}

// TableName is the table of feed heads (migration 0054).
func (FeedHead) TableName() string { return "feed_heads" }

// StoredFeedHead returns the feed's head if one is kept for exactly this
// version and tag; ok is false otherwise. The version is the listing's
// fingerprint (FeedContents.Version), which covers the feed, its window,
// its owner's visibility, the activities at their versions and the
// reference data: a head of any other version describes other content and
// is never returned.
func (s *Store) StoredFeedHead(ctx context.Context, feedID int64, version, tag string) (FeedHead, bool, error) {
	var h FeedHead
	err := s.db.WithContext(ctx).Where("feed_id = ? AND version = ? AND tag = ?", feedID, version, tag).Take(&h).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return FeedHead{}, false, nil
	}
	if err != nil {
		return FeedHead{}, false, fmt.Errorf("feed %d: read the stored head: %w", feedID, err)
	}
	return h, true, nil
}

// SaveFeedHeads keeps each feed's latest head, replacing the one stored.
// As for blocks, the write changes no data (Generation does not move) and
// runs as the only writer; a feed deleted since is left out.
func (s *Store) SaveFeedHeads(ctx context.Context, heads []FeedHead) error {
	if len(heads) == 0 {
		return nil
	}
	upsert := clause.OnConflict{
		Columns:   []clause.Column{{Name: "feed_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"version", "tag", "stamp_s", "size", "head"}),
	}
	// One row per feed, the last given (PostgreSQL refuses an upsert that
	// names a row twice), in feed order.
	latest := make(map[int64]FeedHead, len(heads))
	for _, h := range heads {
		latest[h.FeedID] = h
	}
	ids := slices.Sorted(maps.Keys(latest))
	return s.serialized(ctx, func(tx *gorm.DB) error {
		var live []int64
		if err := tx.Table("feeds").Where("id IN ?", ids).Order("id").Pluck("id", &live).Error; err != nil {
			return fmt.Errorf("find the heads' feeds: %w", err)
		}
		if len(live) == 0 {
			return nil
		}
		keep := make([]FeedHead, len(live))
		for i, id := range live {
			keep[i] = latest[id]
		}
		if err := tx.Clauses(upsert).Create(&keep).Error; err != nil {
			return fmt.Errorf("store %d feed heads: %w", len(keep), err)
		}
		return nil
	})
}
