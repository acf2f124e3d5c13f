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
// It reads the activities, not their occurrences: each activity's row
// keeps a summary of its stored occurrences (migration 0042, written with
// them), so one whose occurrences all overlap the window counts them from
// the summary, one whose occurrences all miss it is left out, and only
// those straddling an edge of the window count their occurrences there
// (reportWindow). Joining the 280,000 occurrences of 100,000 activities
// cost about 270 ms of CPU in the pure-Go driver before any grouping
// (docs/PERFORMANCE.md, issue 14).
func (s *Store) ReportActivities(ctx context.Context, a models.Actor, f models.ReportFilter) (*models.ActivityReport, error) {
	loc, err := f.Validate(true)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	w := reportWindow{db: db, v: a.Viewer(), from: f.From.Unix(), to: f.To.Unix(), dialect: s.dialect}
	g := models.ReportGrouping(f.GroupBy)
	var r reportSums
	switch g {
	case models.GroupByArea, models.GroupByBody:
		r, err = w.manyKeys(g)
	case models.GroupByMonth, models.GroupByQuarter:
		r, err = w.periods(loc, g == models.GroupByQuarter)
	case models.GroupByOrganization:
		r, err = w.organizations()
	case models.GroupBySeries:
		r, err = w.oneKey("activities.series")
	default:
		r, err = w.oneKey("activities.kind")
	}
	if err != nil {
		return nil, fmt.Errorf("count the activities by %s: %w", f.GroupBy, err)
	}
	out := &models.ActivityReport{From: f.From, To: f.To, GroupBy: f.GroupBy, TimeZone: f.TimeZone, Groups: make([]models.ReportGroup, 0, len(r.groups)),
		Activities: r.activities, Occurrences: r.occurrences}
	for k, l := range r.groups {
		out.Groups = append(out.Groups, models.ReportGroup{Key: k, Activities: l.Activities, Occurrences: l.Occurrences})
	}
	// Sorted here rather than in SQL: PostgreSQL orders text by its
	// collation, and the report orders keys byte by byte on every backend.
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return out, nil
}

// reportSums is a report's groups by key and its totals.
type reportSums struct {
	groups                  map[string]*reportLine
	activities, occurrences int64
}

// add merges lines into the groups of r (a key may come back from more
// than one query or group).
func (r *reportSums) add(lines []reportLine) {
	if r.groups == nil {
		r.groups = map[string]*reportLine{}
	}
	for _, l := range lines {
		g := r.group(l.GroupKey)
		g.Activities += l.Activities
		g.Occurrences += l.Occurrences
	}
}

// addOne counts one activity with n occurrences under key (r.groups
// made).
func (r *reportSums) addOne(key string, n int64) {
	g := r.group(key)
	g.Activities++
	g.Occurrences += n
}

// group is the group of key, made empty when new.
func (r *reportSums) group(key string) *reportLine {
	g := r.groups[key]
	if g == nil {
		g = &reportLine{GroupKey: key}
		r.groups[key] = g
	}
	return g
}

// addTotals sums the groups of lines into r's totals: right when each
// activity is in exactly one of them.
func (r *reportSums) addTotals(lines []reportLine) {
	for _, l := range lines {
		r.activities += l.Activities
		r.occurrences += l.Occurrences
	}
}

// reportWindow is the activities one report counts: those v may see,
// live and not cancelled, with a stored occurrence overlapping [from, to)
// (Unix seconds).
type reportWindow struct {
	db       *gorm.DB
	v        models.Viewer
	from, to int64
	dialect  models.Dialect
}

// insideSQL is the condition, on the summary, that every occurrence of the
// activity overlaps the window: the latest start is before its end and
// the earliest end after its start.
const insideSQL = "(activities.occ_max_start_s < ? AND activities.occ_min_end_s > ?)"

func (w reportWindow) insideArgs() []any { return []any{w.to, w.from} }

// activities is the query on the activities that may count: visible,
// live, not cancelled, and by their summary with an occurrence that may
// overlap the window (an activity straddling an edge may still have none
// inside: see counted).
func (w reportWindow) activities() *gorm.DB {
	return w.db.Table("activities").
		Where("activities.deleted_at IS NULL AND activities.status <> ?", models.StatusCancelled).
		Where("activities.occ_count > 0 AND activities.occ_min_start_s < ? AND activities.occ_max_end_s > ?", w.to, w.from).
		Scopes(visibleActivities(w.v))
}

// countSQL is the number of an activity's occurrences overlapping the
// window: its summary's count when all do, otherwise counted in the
// occurrences (through their primary key, for this activity only).
func (w reportWindow) countSQL() (string, []any) {
	return "CASE WHEN " + insideSQL + " THEN activities.occ_count ELSE (SELECT COUNT(*) FROM occurrences o WHERE o.activity_id = activities.id AND o.start_s < ? AND o.end_s > ?) END",
		append(w.insideArgs(), w.to, w.from)
}

// counted is a subquery of one row per activity that may count: id, its
// grouping column k if key is not empty, and n, its occurrences in the
// window (0 for one straddling the window with none there: callers keep
// n > 0).
func (w reportWindow) counted(key string) *gorm.DB {
	n, args := w.countSQL()
	sel := "activities.id AS id, " + n + " AS n"
	if key != "" {
		sel = key + " AS k, " + sel
	}
	return w.activities().Select(sel, args...)
}

// sum runs q, a query of groups (group_key, activities, occurrences).
func sum(q *gorm.DB) ([]reportLine, error) {
	var lines []reportLine
	err := q.Scan(&lines).Error
	return lines, err
}

// oneKey counts by a column of the activity (one key each): the totals
// are the sums of the groups.
func (w reportWindow) oneKey(key string) (reportSums, error) {
	lines, err := sum(w.db.Table("(?) w", w.counted(key)).Where("w.n > 0").
		Select("COALESCE(w.k, '') AS group_key, COUNT(*) AS activities, CAST(SUM(w.n) AS BIGINT) AS occurrences").Group("COALESCE(w.k, '')"))
	if err != nil {
		return reportSums{}, err
	}
	var r reportSums
	r.add(lines)
	r.addTotals(lines)
	return r, nil
}

// organizations counts by lead organisation: grouped by its id, named
// after (a lead that no longer exists counts under "", as its missing
// code always did).
func (w reportWindow) organizations() (reportSums, error) {
	var byID []struct {
		Lead        int64
		Activities  int64
		Occurrences int64
	}
	if err := w.db.Table("(?) w", w.counted("activities.lead_organization_id")).Where("w.n > 0").
		Select("w.k AS lead, COUNT(*) AS activities, CAST(SUM(w.n) AS BIGINT) AS occurrences").Group("w.k").Scan(&byID).Error; err != nil {
		return reportSums{}, err
	}
	codes, err := orgCodes(w.db)
	if err != nil {
		return reportSums{}, fmt.Errorf("load organisation codes: %w", err)
	}
	lines := make([]reportLine, len(byID))
	for i, l := range byID {
		lines[i] = reportLine{GroupKey: codes[l.Lead], Activities: l.Activities, Occurrences: l.Occurrences}
	}
	var r reportSums
	r.add(lines)
	r.addTotals(lines)
	return r, nil
}

// totals counts the activities and their occurrences in the window, for
// the groupings that put an activity under several keys.
func (w reportWindow) totals(r *reportSums) error {
	var t struct{ Activities, Occurrences int64 }
	if err := w.db.Table("(?) w", w.counted("")).Where("w.n > 0").
		Select("COUNT(*) AS activities, CAST(COALESCE(SUM(w.n), 0) AS BIGINT) AS occurrences").Scan(&t).Error; err != nil {
		return fmt.Errorf("count the activities of the report: %w", err)
	}
	r.activities, r.occurrences = t.Activities, t.Occurrences
	return nil
}

// manyKeys counts by a relation that puts an activity under any number
// of keys (its areas, or the codes of its participating bodies): each key
// counts the activities joined to it once and their occurrences once per
// join row, as the report always has.
func (w reportWindow) manyKeys(g models.ReportGrouping) (reportSums, error) {
	if g == models.GroupByBody {
		return w.bodies()
	}
	// An activity has an area at most once (the table's key), so a plain
	// COUNT counts it once per area. CROSS JOIN keeps SQLite reading the
	// activities first, each one's areas through their key.
	var r reportSums
	lines, err := sum(w.db.Table("(?) w", w.counted("")).Where("w.n > 0").Joins("CROSS JOIN activity_areas k").Where("k.activity_id = w.id").
		Select("k.area AS group_key, COUNT(*) AS activities, CAST(SUM(w.n) AS BIGINT) AS occurrences").Group("k.area"))
	if err != nil {
		return r, err
	}
	r.add(lines)
	return r, w.totals(&r)
}

// bodies counts by the codes of the participating bodies. One scan of the
// activities returns, for each that counts, "occurrences:body ids" (its
// body participants' ids joined by commas, through their (activity_id,
// type, ref_id) key), all joined by semicolons, and Go adds them up,
// totals included: grouped in SQL, SQLite sorted the 105,000 (activity,
// body) rows of 100,000 activities and scanned the activities again for
// the totals; driven from participants by body, it looked up a
// participant and an activity at random for each of them (1.6–2.2 s of
// CPU). Bodies that no longer exist all count under "", an activity once
// however many of them it has.
func (w reportWindow) bodies() (reportSums, error) {
	r := reportSums{groups: map[string]*reportLine{}}
	refs := "(SELECT " + w.concat("p.ref_id", ",") + " FROM participants p WHERE p.activity_id = w.id AND p.type = ?)"
	var all *string
	if err := w.db.Table("(?) w", w.counted("")).Where("w.n > 0").
		Select(w.concat("w.n || ':' || COALESCE("+refs+", '')", ";"), models.ResourceBody).Row().Scan(&all); err != nil {
		return r, fmt.Errorf("read the activities' bodies: %w", err)
	}
	if all == nil {
		return r, nil
	}
	codes, err := codesByID(w.db, "bodies")
	if err != nil {
		return r, err
	}
	rows := map[string]int64{}
	for _, activity := range strings.Split(*all, ";") {
		count, ids, ok := strings.Cut(activity, ":")
		n, err := strconv.ParseInt(count, 10, 64)
		if !ok || err != nil {
			return r, fmt.Errorf("read the activities' bodies: %q", activity)
		}
		r.activities++
		r.occurrences += n
		if ids == "" {
			continue
		}
		clear(rows)
		for _, id := range strings.Split(ids, ",") {
			ref, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return r, fmt.Errorf("read the activities' bodies: %w", err)
			}
			rows[codes[ref]]++
		}
		for k, m := range rows {
			r.addOne(k, n*m)
		}
	}
	return r, nil
}

// periods counts by month or quarter of the occurrences' starts in loc.
// An activity whose occurrences all overlap the window and start in one
// period is keyed by its summary's earliest start; the others (series
// across periods, activities straddling the window) by each of their
// occurrences in the window. Each activity is in exactly one of the two
// parts, so their groups and totals add up.
//
// Both parts come back as one concatenated text each and are added up
// in Go: SQLite's GROUP BY sorts its rows (about 1 µs each in the pure-Go
// driver, 100,000 activities and 200,000 occurrences here) and stepping
// each row through the driver costs more still, where appending a number
// to a text in SQL and splitting it in Go cost a fraction of either.
func (w reportWindow) periods(loc *time.Location, quarter bool) (reportSums, error) {
	r := reportSums{groups: map[string]*reportLine{}}
	longest, err := longestOccurrence(w.db)
	if err != nil {
		return r, fmt.Errorf("load the longest occurrence: %w", err)
	}
	bounds := periodBounds(w.from-longest, w.to, loc, quarter)
	if len(bounds) == 0 {
		return r, nil
	}
	// "One period" compares the positions of the earliest and latest
	// start among the period starts, not their keys: a zone whose clock
	// goes back across the first of a month gives the earlier key twice,
	// with the other between.
	minAt, minArgs := periodTree("activities.occ_min_start_s", bounds)
	maxAt, maxArgs := periodTree("activities.occ_max_start_s", bounds)
	one := "(" + insideSQL + " AND " + minAt + " = " + maxAt + ")"
	oneArgs := append(append(w.insideArgs(), minArgs...), maxArgs...)

	// One scan of the activities: "earliest start:count" of each activity
	// in one period, joined by commas; and the starts in the window of
	// each other one, joined by commas, activities by semicolons (none
	// for an activity straddling the window without an occurrence in
	// it: the subquery is then NULL, which the aggregate skips).
	var single, spread *string
	if err := w.activities().Select(w.concat("CASE WHEN "+one+" THEN activities.occ_min_start_s || ':' || activities.occ_count END", ",")+", "+
		w.concat("CASE WHEN NOT "+one+" THEN (SELECT "+w.concat("o.start_s", ",")+" FROM occurrences o WHERE o.activity_id = activities.id AND o.start_s < ? AND o.end_s > ?) END", ";"),
		append(append(oneArgs, oneArgs...), w.to, w.from)...).Row().Scan(&single, &spread); err != nil {
		return r, fmt.Errorf("read the activities' periods: %w", err)
	}
	if single != nil {
		for _, item := range strings.Split(*single, ",") {
			start, count, err := splitPair(item)
			if err != nil {
				return r, fmt.Errorf("read the activities in one period: %w", err)
			}
			r.addOne(bounds[periodAt(bounds, start)].key, count)
			r.activities++
			r.occurrences += count
		}
	}
	if spread == nil {
		return r, nil
	}
	keys := map[string]int64{}
	for _, activity := range strings.Split(*spread, ";") {
		clear(keys)
		for _, item := range strings.Split(activity, ",") {
			start, err := strconv.ParseInt(item, 10, 64)
			if err != nil {
				return r, fmt.Errorf("read the occurrences of the activities across periods: %w", err)
			}
			keys[bounds[periodAt(bounds, start)].key]++
			r.occurrences++
		}
		r.activities++
		for k, n := range keys {
			r.addOne(k, n)
		}
	}
	return r, nil
}

// concat is the aggregate joining the text of expr over a query's rows
// with sep (NULL for no row).
func (w reportWindow) concat(expr, sep string) string {
	if w.dialect == models.Postgres {
		return "string_agg(CAST(" + expr + " AS TEXT), '" + sep + "')"
	}
	return "group_concat(" + expr + ", '" + sep + "')"
}

// splitPair reads "a:b" as two integers.
func splitPair(item string) (int64, int64, error) {
	a, b, ok := strings.Cut(item, ":")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not a pair", item)
	}
	x, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	y, err := strconv.ParseInt(b, 10, 64)
	return x, y, err
}

// periodAt is the position in bounds of the period t falls in (the first
// for an instant before it), as periodTree finds it in SQL.
func periodAt(bounds []periodBound, t int64) int {
	i := sort.Search(len(bounds), func(i int) bool { return bounds[i].start > t })
	return max(i-1, 0)
}

// periodTree is the SQL expression giving the position in bounds of the
// period column falls in, given the periods' starts in order (the first
// for a value before it), as periodAt does in Go. It halves the periods
// at each step, so a three-year report by month compares a value about
// six times instead of up to thirty-six.
func periodTree(column string, bounds []periodBound) (string, []any) {
	var b strings.Builder
	var args []any
	var walk func(lo, hi int)
	walk = func(lo, hi int) {
		if lo == hi {
			b.WriteString(strconv.Itoa(lo)) // a literal: PostgreSQL types it
			return
		}
		mid := (lo + hi + 1) / 2
		b.WriteString("CASE WHEN " + column + " < ? THEN ")
		args = append(args, bounds[mid].start)
		walk(lo, mid-1)
		b.WriteString(" ELSE ")
		walk(mid, hi)
		b.WriteString(" END")
	}
	walk(0, len(bounds)-1)
	return b.String(), args
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
