package storage

import (
	"fmt"
	"sort"
)

// SummaryForTest is one activity's summary as a conflict describes it.
type SummaryForTest struct {
	Title      string
	Restricted bool
	Allowed    []int64
}

// SummariesForTest reads the summaries of ids with the current query.
func (s *Store) SummariesForTest(ids []int64) (map[int64]SummaryForTest, error) {
	got, err := loadSummaryIDs(s.db, ids)
	return exportSummaries(got), err
}

// SummariesBeforeDriverForTest reads them as before issue 16's driver
// work: the activities, then their visibility, in two queries.
func (s *Store) SummariesBeforeDriverForTest(ids []int64) (map[int64]SummaryForTest, error) {
	out := make(map[int64]*summary, len(ids))
	for _, id := range ids {
		out[id] = &summary{id: id}
	}
	var rows []struct {
		ID         int64
		Title      string
		Restricted bool
	}
	if err := s.db.Table("activities").Select("id, title, restricted").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read activities: %w", err)
	}
	for _, r := range rows {
		out[r.ID].title, out[r.ID].restricted = r.Title, r.Restricted
	}
	var vis []activityVisibility
	if err := s.db.Where("activity_id IN ?", ids).Find(&vis).Error; err != nil {
		return nil, fmt.Errorf("load summaries: %w", err)
	}
	for _, v := range vis {
		out[v.ActivityID].allowed = append(out[v.ActivityID].allowed, v.OrganizationID)
	}
	for id, s := range out {
		if s.title == "" && !s.restricted {
			delete(out, id)
		}
	}
	return exportSummaries(out), nil
}

// exportSummaries copies summaries with the allowed organisations sorted
// (their order means nothing: only membership is checked).
func exportSummaries(in map[int64]*summary) map[int64]SummaryForTest {
	out := make(map[int64]SummaryForTest, len(in))
	for id, s := range in {
		allowed := append([]int64(nil), s.allowed...)
		sort.Slice(allowed, func(i, j int) bool { return allowed[i] < allowed[j] })
		out[id] = SummaryForTest{Title: s.title, Restricted: s.restricted, Allowed: allowed}
	}
	return out
}
