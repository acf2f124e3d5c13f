package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// reportLine is one group of the activity report's aggregate query.
type reportLine struct {
	GroupKey    string
	Activities  int64
	Occurrences int64
}

// ReportActivities counts, by f.GroupBy, the activities a may see with an
// occurrence overlapping [f.From, f.To): the figures of a progress report.
// Groups are ordered by key.
//
// The database adds it up: the occurrences that count (visible through
// visibleActivities, live, not cancelled) are grouped per activity (and,
// for months and quarters, per period) in the order SQLite reads the
// activities, so that grouping needs no temporary table, and only the
// groups come back. Reading the 280,000 occurrences of 100,000 activities
// row by row through the pure-Go SQLite driver cost about a second of CPU,
// most of it in the driver's per-column calls (docs/PERFORMANCE.md,
// issue 14).
func (s *Store) ReportActivities(ctx context.Context, a models.Actor, f models.ReportFilter) (*models.ActivityReport, error) {
	loc, err := f.Validate(true)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	base, err := reportBase(db, a.Viewer(), f.From, f.To)
	if err != nil {
		return nil, err
	}
	g := models.ReportGrouping(f.GroupBy)
	var q *gorm.DB
	switch g {
	case models.GroupByArea, models.GroupByBody:
		q = reportManyKeys(db, base, g)
	case models.GroupByMonth, models.GroupByQuarter:
		longest, err := longestOccurrence(db)
		if err != nil {
			return nil, fmt.Errorf("load the longest occurrence: %w", err)
		}
		key, args := periodCase("o.start_s", periodBounds(f.From.Unix()-longest, f.To.Unix(), loc, g == models.GroupByQuarter))
		w := base.Session(&gorm.Session{}).Select("activities.id AS id, "+key+" AS k, COUNT(*) AS n", args...).Group("activities.id, k")
		q = db.Table("(?) w", w).Select("k AS group_key, COUNT(*) AS activities, CAST(SUM(n) AS BIGINT) AS occurrences").Group("k")
	default:
		key := "activities.kind"
		switch g {
		case models.GroupBySeries:
			key = "activities.series"
		case models.GroupByOrganization:
			key = "(SELECT code FROM organizations lead WHERE lead.id = activities.lead_organization_id)"
		}
		w := base.Session(&gorm.Session{}).Select("activities.id AS id, " + key + " AS k, COUNT(*) AS n").Group("activities.id")
		q = db.Table("(?) w", w).Select("COALESCE(k, '') AS group_key, COUNT(*) AS activities, CAST(SUM(n) AS BIGINT) AS occurrences").Group("COALESCE(k, '')")
	}
	var lines []reportLine
	if err := q.Scan(&lines).Error; err != nil {
		return nil, fmt.Errorf("count the activities by %s: %w", f.GroupBy, err)
	}
	out := &models.ActivityReport{From: f.From, To: f.To, GroupBy: f.GroupBy, TimeZone: f.TimeZone, Groups: make([]models.ReportGroup, 0, len(lines))}
	for _, l := range lines {
		out.Groups = append(out.Groups, models.ReportGroup{Key: l.GroupKey, Activities: l.Activities, Occurrences: l.Occurrences})
	}
	// Sorted here rather than in SQL: PostgreSQL orders text by its
	// collation, and the report orders keys byte by byte on every backend.
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	if g == models.GroupByKind || g == models.GroupBySeries || g == models.GroupByOrganization {
		// Each activity is in exactly one group: the totals are the sums.
		for _, l := range out.Groups {
			out.Activities += l.Activities
			out.Occurrences += l.Occurrences
		}
		return out, nil
	}
	var total struct{ Activities, Occurrences int64 }
	w := base.Session(&gorm.Session{}).Select("COUNT(*) AS n").Group("activities.id")
	if err := db.Table("(?) w", w).Select("COUNT(*) AS activities, CAST(COALESCE(SUM(n), 0) AS BIGINT) AS occurrences").Scan(&total).Error; err != nil {
		return nil, fmt.Errorf("count the activities of the report: %w", err)
	}
	out.Activities, out.Occurrences = total.Activities, total.Occurrences
	return out, nil
}

// reportManyKeys is the query of a grouping that puts an activity under
// any number of keys (its areas, or the codes of its participating
// bodies): w has one row per activity with its number of occurrences, and
// each key counts the activities joined to it once and their occurrences
// once per join row, as the report always has.
func reportManyKeys(db, base *gorm.DB, g models.ReportGrouping) *gorm.DB {
	w := base.Session(&gorm.Session{}).Select("activities.id AS id, COUNT(*) AS n").Group("activities.id")
	q := db.Table("(?) w", w)
	key := "k.area"
	if g == models.GroupByBody {
		q = q.Joins("JOIN participants p ON p.activity_id = w.id AND p.type = ?", models.ResourceBody).Joins("LEFT JOIN bodies b ON b.id = p.ref_id")
		key = "COALESCE(b.code, '')"
	} else {
		q = q.Joins("JOIN activity_areas k ON k.activity_id = w.id")
	}
	return q.Select(key + " AS group_key, COUNT(DISTINCT w.id) AS activities, CAST(SUM(w.n) AS BIGINT) AS occurrences").Group(key)
}

// periodBound is where a month or quarter starts, as the report's zone
// sees it.
type periodBound struct {
	start int64
	key   string
}

// periodKey is the month ("2006-01") or quarter ("2006-Q1") t falls in.
func periodKey(t time.Time, quarter bool) string {
	if quarter {
		return strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
	}
	return t.Format("2006-01")
}

// periodBounds lists, from the period of from to the one of to, where the
// key of an instant changes in loc. It walks the zone's stretches of one
// offset (within one the wall clock only moves forward), so a zone whose
// clock goes back across midnight on the first of a month yields the
// earlier key again for the repeated wall-clock time, exactly as the key
// of each occurrence's own local time would.
func periodBounds(from, to int64, loc *time.Location, quarter bool) []periodBound {
	var out []periodBound
	for t := from; t < to; {
		local := time.Unix(t, 0).In(loc)
		_, offset := local.Zone()
		stretchEnd := to
		if _, end := local.ZoneBounds(); !end.IsZero() && end.Unix() < stretchEnd {
			stretchEnd = end.Unix()
		}
		for t < stretchEnd {
			key := periodKey(time.Unix(t, 0).In(loc), quarter)
			if len(out) == 0 || out[len(out)-1].key != key {
				out = append(out, periodBound{start: t, key: key})
			}
			wall := time.Unix(t+int64(offset), 0).UTC()
			months := 1
			if quarter {
				months = 3 - (int(wall.Month())-1)%3
			}
			next := time.Date(wall.Year(), wall.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC).Unix() - int64(offset)
			t = min(next, stretchEnd)
		}
	}
	return out
}

// periodCase is the SQL expression giving the key of the period column
// falls in, given the periods' starts in order (column is never before
// the first).
func periodCase(column string, bounds []periodBound) (string, []any) {
	if len(bounds) == 0 {
		return "''", nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(bounds))
	b.WriteString("CASE")
	for i := 1; i < len(bounds); i++ {
		b.WriteString(" WHEN " + column + " < ? THEN ?")
		args = append(args, bounds[i].start, bounds[i-1].key)
	}
	b.WriteString(" ELSE ? END")
	args = append(args, bounds[len(bounds)-1].key)
	return b.String(), args
}
