package storage

import (
	"context"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// occurrencesBeforeIssue16 is the occurrence query as it was before it
// was made to drive from the window: every matching activity's id in an
// IN list, the window checked on each of their occurrences.
func occurrencesBeforeIssue16(db *gorm.DB, a models.Actor, f models.OccurrenceFilter) (*gorm.DB, bool, error) {
	activities, none, err := filteredActivities(db, a, f.ActivityFilter)
	if err != nil || none {
		return nil, none, err
	}
	return db.Table("occurrences o").
		Where("o.activity_id IN (?)", activities.Select("activities.id")).
		Where("o.start_s < ? AND o.end_s > ?", f.To.Unix(), f.From.Unix()), false, nil
}

// ListOccurrencesBeforeIssue16 is ListOccurrences with the former query,
// for the test that compares the two.
func (s *Store) ListOccurrencesBeforeIssue16(ctx context.Context, a models.Actor, f models.OccurrenceFilter) (models.Page[models.OccurrenceView], error) {
	return s.listOccurrencesWith(ctx, a, f, occurrencesBeforeIssue16)
}
