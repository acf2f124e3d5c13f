package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// ExtendHorizons re-expands recurring activities as time passes, so that
// the occupancy index always reaches the configured horizon ahead. An
// occurrence that now collides with a later booking is still stored (the
// series was booked first) but holds nothing exclusively, and the clash is
// audited for the deconfliction report. It returns how many activities
// gained occurrences.
func (s *Store) ExtendHorizons(ctx context.Context) (int, error) {
	db := s.db.WithContext(ctx)
	var ids []int64
	if err := db.Table("activities").Where("(rrule <> '' OR rdates <> '[]') AND deleted_at IS NULL").Order("id").Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("read activities: %w", err)
	}
	extended := 0
	for _, id := range ids {
		changed, err := s.extendOne(ctx, id)
		if err != nil {
			return extended, fmt.Errorf("activity %d: %w", id, err)
		}
		if changed {
			extended++
		}
	}
	return extended, nil
}

func (s *Store) extendOne(ctx context.Context, id int64) (bool, error) {
	changed := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		views, err := loadViews(tx, []int64{id})
		if err != nil || len(views) == 0 {
			return err
		}
		d, err := s.buildDraft(tx, models.System().Viewer(), views[0].Input(), id)
		if err != nil {
			return err
		}
		var stored int64
		if err := tx.Model(&occurrenceRow{}).Where("activity_id = ?", id).Count(&stored).Error; err != nil {
			return fmt.Errorf("count occurrence: %w", err)
		}
		if int64(len(d.occurrences)) == stored {
			return nil
		}
		changed = true
		var row models.Activity
		if err := tx.First(&row, id).Error; err != nil {
			return fmt.Errorf("extend one: %w", err)
		}
		d.row = row
		report, err := s.evaluate(tx, models.System(), d)
		if err != nil {
			return err
		}
		overridden := len(report.Conflicts) > 0
		if err := writeOccupancy(tx, d, overridden, false); err != nil {
			return err
		}
		if overridden {
			return s.audit(tx, models.System(), "horizon_conflict", "activity", id, nil, report.Conflicts, "new occurrences of a recurring activity collide with later bookings")
		}
		return nil
	})
	return changed, err
}
