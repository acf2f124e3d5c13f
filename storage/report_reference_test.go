package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// reportActivitiesStreaming is the activity report as it was before it
// was aggregated in SQL (docs/PERFORMANCE.md, issue 14): the reference the
// equivalence test compares ReportActivities with.
//
// It reads the occurrences of the activities that count (visible, live,
// not cancelled) with their kind, series and lead in one query, the areas
// or bodies in another, and adds them up in Go: with the pure-Go SQLite
// driver, GROUP BY with COUNT(DISTINCT) or a per-activity subquery was
// measured three to nine times slower over 100,000 activities
// (docs/PERFORMANCE.md).
func (s *Store) reportActivitiesStreaming(ctx context.Context, a models.Actor, f models.ReportFilter) (*models.ActivityReport, error) {
	loc, err := f.Validate(true)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	out := &models.ActivityReport{From: f.From, To: f.To, GroupBy: f.GroupBy, TimeZone: f.TimeZone, Groups: []models.ReportGroup{}}
	g := models.ReportGrouping(f.GroupBy)
	period := g == models.GroupByMonth || g == models.GroupByQuarter
	occ, err := occurrencesIn(db, a.Viewer(), f.From, f.To, period)
	if err != nil {
		return nil, err
	}
	keys, err := reportKeys(db, g, occ)
	if err != nil {
		return nil, fmt.Errorf("group the report by %s: %w", f.GroupBy, err)
	}
	type bucket struct {
		occurrences int64
		activities  map[int64]struct{}
	}
	buckets := map[string]*bucket{}
	add := func(key string, id, n int64) {
		b := buckets[key]
		if b == nil {
			b = &bucket{activities: map[int64]struct{}{}}
			buckets[key] = b
		}
		b.occurrences += n
		b.activities[id] = struct{}{}
	}
	for id, n := range occ.counts {
		ks, counts := keys[id]
		if !counts {
			continue // not visible, deleted or cancelled
		}
		out.Activities++
		out.Occurrences += n
		if !period {
			for _, k := range ks {
				add(k, id, n)
			}
		}
	}
	if period {
		for _, o := range occ.starts {
			if _, counts := keys[o[0]]; !counts {
				continue
			}
			t := time.Unix(o[1], 0).In(loc)
			key := t.Format("2006-01")
			if g == models.GroupByQuarter {
				key = strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
			}
			add(key, o[0], 1)
		}
	}
	for k, b := range buckets {
		out.Groups = append(out.Groups, models.ReportGroup{Key: k, Activities: int64(len(b.activities)), Occurrences: b.occurrences})
	}
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return out, nil
}

// windowOccurrences are the occurrences of a report's window of the
// activities that count: how many each activity has, its kind, series
// and lead, and (for months and quarters) each occurrence's start.
type windowOccurrences struct {
	counts map[int64]int64
	attrs  map[int64]activityAttrs
	starts [][2]int64
}

type activityAttrs struct {
	kind, series string
	lead         int64
}

// occurrencesIn reads the occurrences overlapping [from, to) of the live,
// uncancelled activities v may see. SQLite drives it from the activities
// (through their deleted_at index) to each one's occurrences, which is
// the cheapest plan the pure-Go driver was measured with.
func occurrencesIn(db *gorm.DB, v models.Viewer, from, to time.Time, withStarts bool) (*windowOccurrences, error) {
	base, err := reportBase(db, v, from, to)
	if err != nil {
		return nil, err
	}
	rows, err := base.Select("o.activity_id, o.start_s, activities.kind, activities.series, activities.lead_organization_id").Rows()
	if err != nil {
		return nil, fmt.Errorf("read the occurrences of the report: %w", err)
	}
	defer rows.Close()
	out := &windowOccurrences{counts: map[int64]int64{}, attrs: map[int64]activityAttrs{}}
	for rows.Next() {
		var id, start int64
		var a activityAttrs
		if err := rows.Scan(&id, &start, &a.kind, &a.series, &a.lead); err != nil {
			return nil, err
		}
		if out.counts[id]++; out.counts[id] == 1 {
			out.attrs[id] = a
		}
		if withStarts {
			out.starts = append(out.starts, [2]int64{id, start})
		}
	}
	return out, rows.Err()
}

// scanAllBeyond is the number of activities above which a report scans a
// table whole rather than asking for its rows by id, 500 at a time.
const scanAllBeyond = 5000

// byActivity runs q for the activities of ids: narrowed by id in chunks
// when they are few, whole (the caller ignores other rows) when many.
func byActivity(q *gorm.DB, column string, ids map[int64]int64, each func(*gorm.DB) error) error {
	if len(ids) > scanAllBeyond {
		return each(q)
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	for len(list) > 0 {
		chunk := list[:min(len(list), viewChunk)]
		list = list[len(chunk):]
		if err := each(q.Session(&gorm.Session{}).Where(column+" IN ?", chunk)); err != nil {
			return err
		}
	}
	return nil
}

// reportKeys returns, for each activity of occ, its keys under grouping
// g: one for kind, series and organisation, any number for area and body
// (read from their tables), none for months and quarters (which group
// occurrences, not activities).
func reportKeys(db *gorm.DB, g models.ReportGrouping, occ *windowOccurrences) (map[int64][]string, error) {
	out := make(map[int64][]string, len(occ.attrs))
	codes, err := orgCodes(db)
	if err != nil {
		return nil, fmt.Errorf("load organisation codes: %w", err)
	}
	for id, a := range occ.attrs {
		switch g {
		case models.GroupByKind:
			out[id] = []string{a.kind}
		case models.GroupBySeries:
			out[id] = []string{a.series}
		case models.GroupByOrganization:
			out[id] = []string{codes[a.lead]}
		default:
			out[id] = nil
		}
	}
	if g != models.GroupByArea && g != models.GroupByBody || len(out) == 0 {
		return out, nil
	}
	q := db.Table("activity_areas").Select("activity_id, area")
	var bodies map[int64]string
	if g == models.GroupByBody {
		var rows []struct {
			ID   int64
			Code string
		}
		if err := db.Table("bodies").Select("id, code").Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("load body codes: %w", err)
		}
		bodies = make(map[int64]string, len(rows))
		for _, r := range rows {
			bodies[r.ID] = r.Code
		}
		q = db.Table("participants").Select("activity_id, ref_id").Where("type = ?", models.ResourceBody)
	}
	err = byActivity(q, "activity_id", occ.counts, func(q *gorm.DB) error {
		rows, err := q.Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var key string
			if bodies != nil {
				var ref int64
				if err := rows.Scan(&id, &ref); err != nil {
					return err
				}
				key = bodies[ref]
			} else if err := rows.Scan(&id, &key); err != nil {
				return err
			}
			if ks, counts := out[id]; counts {
				out[id] = append(ks, key)
			}
		}
		return rows.Err()
	})
	return out, err
}

// ReportActivitiesStreaming exposes the former activity report to the
// storage_test package's equivalence test.
func (s *Store) ReportActivitiesStreaming(ctx context.Context, a models.Actor, f models.ReportFilter) (*models.ActivityReport, error) {
	return s.reportActivitiesStreaming(ctx, a, f)
}

// ExecForTest runs one statement: the equivalence test restricts
// generated activities with it.
func (s *Store) ExecForTest(sql string, args ...any) error {
	return s.db.Exec(sql, args...).Error
}
