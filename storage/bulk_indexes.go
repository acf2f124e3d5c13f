package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// deferredTables are the tables whose secondary indexes a large bulk write
// may defer: those it adds many rows to per activity. The activities'
// own indexes stay, because the writer looks source UIDs up as it goes,
// and so do the unique indexes of every table (SQLite's automatic ones),
// which keep duplicates out.
var deferredTables = []string{"occupancy", "occurrences", "participants", "audit_log"}

// deferredIndex is a dropped index and the statement that makes it again.
type deferredIndex struct {
	Name string `gorm:"primaryKey"`
	SQL  string `gorm:"column:sql"`
}

func (deferredIndex) TableName() string { return "deferred_indexes" }

// DeferIndexes drops, on SQLite, the secondary indexes of the tables a
// bulk write fills, so that a generation of tens of thousands of activities
// inserts its rows without keeping six B-trees balanced row by row
// (two-thirds of a 100,000-activity generation's CPU went there,
// docs/PERFORMANCE.md), and returns the function that builds them again
// in one pass each. The statements are kept in deferred_indexes in the
// same transaction as the drops; Migrate builds whatever is still listed,
// so a process killed before restore leaves nothing missing after the
// next start. Reads stay correct without the indexes, only slower, and the
// bulk writer needs none of them. On PostgreSQL it does nothing: its
// exclusion constraint is an index that must hold during the writes.
func (s *Store) DeferIndexes(ctx context.Context) (restore func(context.Context) error, err error) {
	if s.dialect != models.SQLite {
		return func(context.Context) error { return nil }, nil
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		var idx []deferredIndex
		if err := tx.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ?`, deferredTables).Scan(&idx).Error; err != nil {
			return fmt.Errorf("list the indexes to defer: %w", err)
		}
		for _, ix := range idx {
			if err := tx.Create(&ix).Error; err != nil {
				return fmt.Errorf("record deferred index %s: %w", ix.Name, err)
			}
			if err := tx.Exec(`DROP INDEX "` + ix.Name + `"`).Error; err != nil {
				return fmt.Errorf("drop index %s: %w", ix.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		return s.write(ctx, restoreDeferredIndexes)
	}, nil
}

// restoreDeferredIndexes builds every index deferred_indexes lists and
// empties it, in the caller's transaction.
func restoreDeferredIndexes(tx *gorm.DB) error {
	var idx []deferredIndex
	if err := tx.Order("name").Find(&idx).Error; err != nil {
		return fmt.Errorf("list deferred indexes: %w", err)
	}
	for _, ix := range idx {
		if err := tx.Exec(ix.SQL).Error; err != nil {
			return fmt.Errorf("build deferred index %s: %w", ix.Name, err)
		}
		if err := tx.Delete(&ix).Error; err != nil {
			return fmt.Errorf("forget deferred index %s: %w", ix.Name, err)
		}
	}
	return nil
}
