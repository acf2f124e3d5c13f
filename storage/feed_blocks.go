package storage

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// StoredBlock is one activity's rendered feed block as kept in the
// database: the encoding (calendar.BlockCodec) of the activity at Version,
// rendered under Tag.
type StoredBlock struct {
	ActivityID int64  `gorm:"column:activity_id;primaryKey"`
	Version    int    `gorm:"column:version"`
	Tag        string `gorm:"column:tag"`
	Data       []byte `gorm:"column:data"`
}

// TableName is the table of rendered blocks (migration 0050).
func (StoredBlock) TableName() string { return "feed_blocks" }

// storedBlockBatch is how many blocks one statement writes: four
// parameters each, well inside SQLite's limit, and a transaction short
// enough that a booking waiting for the writer is not held up long.
const storedBlockBatch = 250

// StoredFeedBlocks returns the stored blocks of items rendered under tag,
// by activity id, and only those whose version is the one items list: a
// block of any other version (older, or written since the listing) or tag
// is left out, and the caller renders that activity from its rows. The
// items come from FeedContents, which applied the feed owner's
// visibility at the versions it lists, so a block of exactly that version
// shows nothing the owner may not see.
func (s *Store) StoredFeedBlocks(ctx context.Context, tag string, items []models.FeedItem) (map[int64][]byte, error) {
	if len(items) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(items))
	listed := make(map[int64]int, len(items))
	for i, it := range items {
		ids[i], listed[it.ID] = it.ID, it.Version
	}
	rows, err := s.db.WithContext(ctx).Model(&StoredBlock{}).Select("activity_id, version, data").
		Where("tag = ? AND activity_id IN ?", tag, ids).Rows()
	if err != nil {
		return nil, fmt.Errorf("read %d stored feed blocks: %w", len(ids), err)
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(items))
	for rows.Next() {
		var (
			id      int64
			version int
			data    sql.RawBytes // copied once, and only when it is of the listed version
		)
		if err := rows.Scan(&id, &version, &data); err != nil {
			return nil, fmt.Errorf("read stored feed blocks: %w", err)
		}
		if v, ok := listed[id]; ok && v == version {
			out[id] = bytes.Clone(data)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored feed blocks: %w", err)
	}
	return out, nil
}

// SaveFeedBlocks keeps blocks, replacing each activity's stored block
// unless the stored one is of a newer version (a slower writer of an older
// rendering must not undo a newer one). The writes are not changes to the
// data (Generation does not move), and run as the only writer, a batch per
// transaction, so that bookings interleave with a large feed's blocks.
func (s *Store) SaveFeedBlocks(ctx context.Context, blocks []StoredBlock) error {
	upsert := clause.OnConflict{
		Columns:   []clause.Column{{Name: "activity_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"version", "tag", "data"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "feed_blocks.version <= excluded.version"}}},
	}
	for len(blocks) > 0 {
		n := min(len(blocks), storedBlockBatch)
		batch := blocks[:n]
		if err := s.serialized(ctx, func(tx *gorm.DB) error {
			return tx.Clauses(upsert).Create(&batch).Error
		}); err != nil {
			return fmt.Errorf("store %d feed blocks: %w", n, err)
		}
		blocks = blocks[n:]
	}
	return nil
}
