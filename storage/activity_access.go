package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jointcal/jointcal/models"
)

// WriteAccess loads what LedBy needs: the organisations' ids by code.
func (s *Store) WriteAccess(ctx context.Context, a models.Actor) (models.WriteAccess, error) {
	var rows []models.Organization
	if err := s.db.WithContext(ctx).Select("id", "code").Find(&rows).Error; err != nil {
		return models.WriteAccess{}, fmt.Errorf("write access: %w", err)
	}
	w := models.WriteAccess{Actor: a, Orgs: make(map[string]int64, len(rows))}
	for _, o := range rows {
		w.Orgs[o.Code] = o.ID
	}
	return w, nil
}

// CanWriteActivity reports whether a may change activity id: a sees it,
// it is not deleted, and a's role allows changing what its lead
// organisation leads. An activity a may not see is simply false.
func (s *Store) CanWriteActivity(ctx context.Context, a models.Actor, id int64) (bool, error) {
	v, err := s.GetActivity(ctx, a, id)
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrGone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	w, err := s.WriteAccess(ctx, a)
	if err != nil {
		return false, err
	}
	return w.LedBy(v.LeadOrganization), nil
}
