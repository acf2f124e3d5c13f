package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
)

// ListChildren lists the children of an activity (the phases and
// planning events of an exercise) that a may see, by start: the
// exercise's page lists what was made from its template, and one child
// restricted to another organisation stays out of it.
func (s *Store) ListChildren(ctx context.Context, a models.Actor, parent int64) ([]models.ActivityView, error) {
	db := s.db.WithContext(ctx)
	var ids []int64
	if err := db.Table("activities").Scopes(visibleActivities(a.Viewer())).
		Where("activities.parent_id = ? AND activities.deleted_at IS NULL", parent).
		Order("activities.start_at, activities.id").Pluck("activities.id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list the children of activity %d: %w", parent, err)
	}
	views, err := loadViews(db, ids)
	if err != nil {
		return nil, fmt.Errorf("load the children of activity %d: %w", parent, err)
	}
	return views, nil
}
