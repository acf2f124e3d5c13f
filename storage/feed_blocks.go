package storage

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

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
	listed := make(map[int64]int, len(items))
	ids := make([]int64, len(items))
	for i, it := range items {
		listed[it.ID] = it.Version
		ids[i] = it.ID
	}
	rows, err := s.db.WithContext(ctx).Raw(s.storedBlocksQuery(), tag, s.idArray(ids)).Rows()
	if err != nil {
		return nil, fmt.Errorf("read %d stored feed blocks: %w", len(items), err)
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

// storedBlocksQuery reads the blocks of a list of activities passed as
// one parameter (inIDs): a cold feed reads them a chunk at a time, and an
// IN list of placeholders was parsed and planned again for each chunk.
func (s *Store) storedBlocksQuery() string {
	return "SELECT activity_id, version, data FROM feed_blocks WHERE tag = ? AND " + s.inIDs("activity_id")
}

// SaveFeedBlocks keeps blocks, replacing each activity's stored block
// unless the stored one is of a newer version (a slower writer of an older
// rendering must not undo a newer one), and returns how many it wrote or
// found a newer version of.
// The writes are not changes to the data (Generation does not move), and
// run as the only writer, a batch per transaction, so that bookings
// interleave with a large feed's blocks.
//
// The blocks are first reduced to one per activity, the newest version
// (the last given among equals): PostgreSQL refuses an upsert that names a
// row twice, which two feeds rendering the same activity at once produced.
// They are written in activity order, so that two processes writing
// overlapping blocks take the rows' locks in the same order. An activity
// purged since it was rendered is left out rather than failing its batch
// on the foreign key, and a batch that fails does not stop the next.
func (s *Store) SaveFeedBlocks(ctx context.Context, blocks []StoredBlock) (stored int, err error) {
	newest := make(map[int64]StoredBlock, len(blocks))
	for _, b := range blocks {
		if have, ok := newest[b.ActivityID]; !ok || b.Version >= have.Version {
			newest[b.ActivityID] = b
		}
	}
	rows := make([]StoredBlock, 0, len(newest))
	for _, b := range newest {
		rows = append(rows, b)
	}
	slices.SortFunc(rows, func(x, y StoredBlock) int { return cmp.Compare(x.ActivityID, y.ActivityID) })
	upsert := clause.OnConflict{
		Columns:   []clause.Column{{Name: "activity_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"version", "tag", "data"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "feed_blocks.version <= excluded.version"}}},
	}
	var failed []error
	for batch := range slices.Chunk(rows, storedBlockBatch) {
		n := 0
		if err := s.serialized(ctx, func(tx *gorm.DB) error {
			live, err := existingActivities(tx, batch)
			if err != nil || len(live) == 0 {
				return err
			}
			n = len(live)
			return tx.Clauses(upsert).Create(&live).Error
		}); err != nil {
			failed = append(failed, fmt.Errorf("store %d feed blocks: %w", len(batch), err))
			continue
		}
		stored += n
	}
	return stored, errors.Join(failed...)
}

// existingActivities keeps the blocks whose activity still has a row.
func existingActivities(tx *gorm.DB, batch []StoredBlock) ([]StoredBlock, error) {
	ids := make([]int64, len(batch))
	for i, b := range batch {
		ids[i] = b.ActivityID
	}
	var have []int64
	if err := tx.Table("activities").Where("id IN ?", ids).Pluck("id", &have).Error; err != nil {
		return nil, fmt.Errorf("find the blocks' activities: %w", err)
	}
	live := make(map[int64]bool, len(have))
	for _, id := range have {
		live[id] = true
	}
	return slices.DeleteFunc(slices.Clone(batch), func(b StoredBlock) bool { return !live[b.ActivityID] }), nil
}
