package storage

import (
	"fmt"

	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// occurrenceSummary is what the activities row keeps of its stored
// occurrences (migration 0042): how many, and the earliest and latest
// start and end, in Unix seconds. The activity report counts an activity
// whose occurrences all overlap its window from these alone, and skips
// one with none there, without reading its occurrences. Every write of
// the occurrences table writes the summary in the same transaction.
type occurrenceSummary struct {
	Count                int64
	MinStartS, MaxStartS int64
	MinEndS, MaxEndS     int64
}

// summarize is the summary of occs (all zero for none).
func summarize(occs []planning.Occurrence) occurrenceSummary {
	var s occurrenceSummary
	for i, o := range occs {
		start, end := o.Start.Unix(), o.End.Unix()
		if i == 0 {
			s = occurrenceSummary{MinStartS: start, MaxStartS: start, MinEndS: end, MaxEndS: end}
		}
		s.Count++
		s.MinStartS, s.MaxStartS = min(s.MinStartS, start), max(s.MaxStartS, start)
		s.MinEndS, s.MaxEndS = min(s.MinEndS, end), max(s.MaxEndS, end)
	}
	return s
}

// summaryColumns are the activities columns of an occurrenceSummary, in
// the order of summaryArgs.
var summaryColumns = []string{"occ_count", "occ_min_start_s", "occ_max_start_s", "occ_min_end_s", "occ_max_end_s"}

// args appends the summary's values in the order of summaryColumns.
func (s occurrenceSummary) args(dst []any) []any {
	return append(dst, s.Count, s.MinStartS, s.MaxStartS, s.MinEndS, s.MaxEndS)
}

// writeSummary stores the summary of the occurrences just written for
// activity id.
func writeSummary(tx *gorm.DB, id int64, occs []planning.Occurrence) error {
	s := summarize(occs)
	if err := tx.Exec("UPDATE activities SET occ_count = ?, occ_min_start_s = ?, occ_max_start_s = ?, occ_min_end_s = ?, occ_max_end_s = ? WHERE id = ?",
		append(s.args(nil), id)...).Error; err != nil {
		return fmt.Errorf("write the occurrence summary of activity %d: %w", id, err)
	}
	return nil
}

// clearSummaries empties the summaries of activities ids, whose
// occurrences were just deleted.
func clearSummaries(tx *gorm.DB, ids []int64) error {
	if err := tx.Exec("UPDATE activities SET occ_count = 0, occ_min_start_s = 0, occ_max_start_s = 0, occ_min_end_s = 0, occ_max_end_s = 0 WHERE id IN ?", ids).Error; err != nil {
		return fmt.Errorf("clear the occurrence summaries: %w", err)
	}
	return nil
}
