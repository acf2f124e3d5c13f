package storage

import (
	"context"
	"fmt"
	"strings"
)

// OccurrenceSummaryMismatchesForTest lists the activities whose summary
// (migration 0042) differs from what their stored occurrences say.
func (s *Store) OccurrenceSummaryMismatchesForTest(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Raw(`SELECT a.id FROM activities a LEFT JOIN (SELECT activity_id, COUNT(*) AS n, MIN(start_s) AS min_start, MAX(start_s) AS max_start,
		MIN(end_s) AS min_end, MAX(end_s) AS max_end FROM occurrences GROUP BY activity_id) s ON s.activity_id = a.id
		WHERE a.occ_count <> COALESCE(s.n, 0) OR a.occ_min_start_s <> COALESCE(s.min_start, 0) OR a.occ_max_start_s <> COALESCE(s.max_start, 0)
		OR a.occ_min_end_s <> COALESCE(s.min_end, 0) OR a.occ_max_end_s <> COALESCE(s.max_end, 0) ORDER BY a.id`).Scan(&ids).Error
	return ids, err
}

// BackfillOccurrenceSummariesForTest runs the statements of migration
// 0042 that fill the summaries from the stored occurrences.
func (s *Store) BackfillOccurrenceSummariesForTest(ctx context.Context) error {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Name != "0042_occurrence_summary.sql" {
			continue
		}
		for _, stmt := range splitStatements(m.SQL) {
			if strings.HasPrefix(stmt, "UPDATE") {
				return s.db.WithContext(ctx).Exec(stmt).Error
			}
		}
	}
	return fmt.Errorf("no backfill in migration 0042")
}
