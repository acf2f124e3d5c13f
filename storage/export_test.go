package storage

import (
	"context"

	"github.com/jointcal/jointcal/models"
)

// ListConflictsEach is ListConflicts with every activity's neighbourhood
// read for it alone, as a single check reads it: the reference the shared
// agenda is compared with.
func (s *Store) ListConflictsEach(ctx context.Context, a models.Actor, f models.ConflictFilter) ([]models.ListedConflict, error) {
	return s.listConflicts(ctx, a, f, false)
}
