package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// occurrenceRow is one stored occurrence of an activity (Unix seconds).
type occurrenceRow struct {
	ActivityID   int64
	RecurrenceID int64
	StartS       int64 `gorm:"column:start_s"`
	EndS         int64 `gorm:"column:end_s"`
}

func (occurrenceRow) TableName() string { return "occurrences" }

// occupancyRow is one (occurrence, resource) pair of the occupancy index.
type occupancyRow struct {
	ID           int64 `gorm:"primaryKey"`
	ActivityID   int64
	Kind         string
	StartS       int64 `gorm:"column:start_s"`
	EndS         int64 `gorm:"column:end_s"`
	ResourceType string
	ResourceID   int64
	Required     bool
	Virtual      bool
	Exclusive    bool
	// Proposed rows belong to a proposed activity: a soft hold, never
	// exclusive.
	Proposed bool
}

func (occupancyRow) TableName() string { return "occupancy" }

// overrideRow is a moved or cancelled instance.
type overrideRow struct {
	ActivityID   int64
	RecurrenceID int64
	Cancelled    bool
	StartS       int64 `gorm:"column:start_s"`
	EndS         int64 `gorm:"column:end_s"`
	UpdatedAt    time.Time
}

func (overrideRow) TableName() string { return "occurrence_overrides" }

// exclusive says whether a claim must never overlap another exclusive
// claim of the same resource: required people and bodies, physical venues.
// An overridden booking holds nothing exclusively, so the database
// constraint does not undo the planner's decision; nor does a proposed
// one, which holds its slot softly until every side agrees.
func exclusive(c planning.Claim, overridden bool) bool {
	if overridden || !c.Required {
		return false
	}
	switch c.Resource.Type {
	case "person", "body":
		return true
	case "venue":
		return !c.Virtual
	}
	return false
}

// writeOccupancy replaces the stored occurrences and occupancy of an
// activity (fresh: a new one, with nothing to delete). A cancelled activity keeps its occurrences (feeds and lists
// need them) but occupies nothing.
func writeOccupancy(tx *gorm.DB, d *draft, overridden, fresh bool) error {
	id := d.row.ID
	if !fresh && !d.cleared {
		if err := tx.Where("activity_id = ?", id).Delete(&occurrenceRow{}).Error; err != nil {
			return fmt.Errorf("delete occurrence: %w", err)
		}
		if err := tx.Where("activity_id = ?", id).Delete(&occupancyRow{}).Error; err != nil {
			return fmt.Errorf("delete occupancy: %w", err)
		}
	}
	occ := make([]occurrenceRow, 0, len(d.occurrences))
	for _, o := range d.occurrences {
		occ = append(occ, occurrenceRow{ActivityID: id, RecurrenceID: o.RecurrenceID.Unix(), StartS: o.Start.Unix(), EndS: o.End.Unix()})
	}
	if len(occ) > 0 {
		if err := tx.CreateInBatches(occ, 500).Error; err != nil {
			return fmt.Errorf("write occupancy: %w", err)
		}
	}
	if err := writeSummary(tx, id, d.occurrences); err != nil {
		return err
	}
	// The longest occurrence bounds range queries on start_s (occupancy,
	// occurrences and external blocks alike).
	var longest int64
	for _, o := range d.occurrences {
		longest = max(longest, o.End.Unix()-o.Start.Unix())
	}
	if err := recordLongest(tx, longest); err != nil {
		return err
	}
	if models.Status(d.row.Status) == models.StatusCancelled || d.row.DeletedAt != nil {
		return nil
	}
	proposed := models.Status(d.row.Status) == models.StatusProposed
	rows := make([]occupancyRow, 0, len(d.occurrences)*len(d.claims))
	for _, o := range d.occurrences {
		for _, c := range d.claims {
			if c.Resource.Type == planning.ResourcePerson {
				req, keep := d.answers.occupies(c.Resource.ID, o.RecurrenceID.Unix(), c.Required)
				if !keep {
					continue // declined this occurrence: the person is free
				}
				c.Required = req
			}
			rows = append(rows, occupancyRow{
				ActivityID: id, Kind: d.row.Kind, StartS: o.Start.Unix(), EndS: o.End.Unix(),
				ResourceType: string(c.Resource.Type), ResourceID: c.Resource.ID,
				Required: c.Required, Virtual: c.Virtual, Exclusive: exclusive(c, overridden || proposed), Proposed: proposed,
			})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, 500).Error
}

// span returns the time range covered by the occurrences, widened by pad.
func span(occs []planning.Occurrence, pad time.Duration) (from, to time.Time, ok bool) {
	if len(occs) == 0 {
		return time.Time{}, time.Time{}, false
	}
	from, to = occs[0].Start, occs[0].End
	for _, o := range occs[1:] {
		if o.Start.Before(from) {
			from = o.Start
		}
		if o.End.After(to) {
			to = o.End
		}
	}
	return from.Add(-pad), to.Add(pad), true
}

// loadBusy reads the occupancy of the claimed resources that overlaps
// [from, to), leaving out the activity being edited: the neighbourhood
// the pure conflict check needs, found through the resource index.
//
// Organisations only matter to the planning-overlap rule, so their rows
// are read only for exercises (and only those of exercises): an
// organisation's occupancy is most of the index.
func loadBusy(tx *gorm.DB, claims []planning.Claim, from, to time.Time, exclude int64, kind string) ([]planning.Busy, error) {
	near, err := readNearby(tx, claims, from, to, exclude, kind, false)
	return near.busy, err
}

// nearby is what a check reads around its draft in one statement.
type nearby struct {
	// busy is the occupancy loadBusy reads.
	busy []planning.Busy
	// subscribed: some claimed resource may block time in an external
	// calendar (a superset, as loadExternalBusy's first query finds
	// them); false: no need to read them.
	subscribed bool
	// blackedOut: some claimed organisation has a blackout overlapping
	// the span, as loadBlackouts finds them; false: no need to read them.
	blackedOut bool
}

// Resource types of the rows readNearby adds to say that external
// calendars or blackouts need reading; no occupancy row has them.
const (
	subscribedMarker = "external_calendar"
	blackedOutMarker = "blackout"
)

// markerArm is an arm of readNearby's statement: one row of resource type
// marker when the subquery exists finds a row.
func markerArm(marker, exists string) string {
	return "SELECT 0, '', 0, 0, '" + marker + "', 0, FALSE, FALSE, FALSE WHERE EXISTS (" + exists + ")"
}

// readNearby is loadBusy that, when withMarkers, also says in the same
// statement whether any claimed resource (organisations included) may
// block time in an external calendar and whether any claimed organisation
// has a blackout in the span: a check reads those only then, and most
// checks have neither, so the questions cost no round trip of their own.
func readNearby(tx *gorm.DB, claims []planning.Claim, from, to time.Time, exclude int64, kind string, withMarkers bool) (nearby, error) {
	var near nearby
	all := claimsByType(claims)
	byType := maps.Clone(all)
	if !planning.IsExerciseKind(kind) {
		delete(byType, "organization")
	}
	// One statement for every claimed type (a UNION ALL of index range
	// scans, each on occupancy_resource, bounded below by the longest
	// stored occurrence read in the same statement), read column by
	// column: a round trip per type and gorm's reflection per row were
	// most of a check.
	var arms []string
	args := make([]any, 0, 7*len(byType)+5)
	for _, typ := range slices.Sorted(maps.Keys(byType)) { // the same text for the same shape: one prepared statement
		arm := "SELECT activity_id, kind, start_s, end_s, resource_type, resource_id, required, virtual, proposed FROM occupancy" +
			" WHERE resource_type = ? AND resource_id IN ? AND start_s >= ? - " + longestSQL + " AND start_s < ? AND end_s > ? AND activity_id <> ?"
		args = append(args, typ, byType[typ], from.Unix(), to.Unix(), from.Unix(), exclude)
		if typ == "organization" {
			arm += " AND kind IN ?"
			args = append(args, models.EnumNames([]models.Kind{models.KindExercise, models.KindExercisePhase}))
		}
		arms = append(arms, arm)
	}
	if withMarkers && len(all) > 0 {
		types := slices.Sorted(maps.Keys(all))
		var ids []int64
		for _, typ := range types {
			ids = append(ids, all[typ]...)
		}
		arms = append(arms, markerArm(subscribedMarker, "SELECT 1 FROM external_calendars WHERE blocks_type IN ? AND blocks_id IN ?"))
		args = append(args, types, ids)
	}
	if orgs := all["organization"]; withMarkers && len(orgs) > 0 {
		arms = append(arms, markerArm(blackedOutMarker, "SELECT 1 FROM blackouts JOIN blackout_organizations bo ON bo.blackout_id = blackouts.id"+
			" WHERE bo.organization_id IN ? AND blackouts.end_at > ? AND blackouts.start_at < ?"))
		args = append(args, orgs, from.UTC(), to.UTC())
	}
	if len(arms) == 0 {
		return near, nil
	}
	rows, err := tx.Raw(strings.Join(arms, " UNION ALL "), args...).Rows()
	if err != nil {
		return near, fmt.Errorf("load occupancy: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r       occupancyRow
			resType string
		)
		if err := rows.Scan(&r.ActivityID, &r.Kind, &r.StartS, &r.EndS, &resType, &r.ResourceID, &r.Required, &r.Virtual, &r.Proposed); err != nil {
			return near, fmt.Errorf("load occupancy: %w", err)
		}
		switch resType {
		case subscribedMarker:
			near.subscribed = true
		case blackedOutMarker:
			near.blackedOut = true
		default:
			near.busy = append(near.busy, planning.Busy{
				ActivityID: r.ActivityID, Kind: r.Kind, Start: time.Unix(r.StartS, 0).UTC(), End: time.Unix(r.EndS, 0).UTC(),
				Resource: planning.ResourceRef{Type: planning.ResourceType(resType), ID: r.ResourceID}, Required: r.Required, Virtual: r.Virtual,
				Proposed: r.Proposed,
			})
		}
	}
	if err := rows.Err(); err != nil {
		return near, fmt.Errorf("load occupancy: %w", err)
	}
	return near, nil
}

// loadClaimedInto files into ix the occupancy rows of the claimed
// resources (ids by type) that start in [startFrom, startTo) and end after
// endAfter, for organisations only their exercise rows, as loadBusy reads
// them: the neighbourhood of an agenda and of an import batch. It is one statement whatever the number of resources: a UNION ALL
// of an arm per type, each passing its ids as one parameter (inIDs), so
// that every arm is a range of occupancy_resource per resource and the
// text stays short and the same for the same types.
func (s *Store) loadClaimedInto(db *gorm.DB, ix *busyIndex, claimed map[string][]int64, startFrom, startTo, endAfter int64) error {
	if len(claimed) == 0 {
		return nil
	}
	var arms []string
	var args []any
	resources := 0
	for _, typ := range slices.Sorted(maps.Keys(claimed)) {
		resources += len(claimed[typ])
		arm := "SELECT activity_id, kind, start_s, end_s, resource_type, resource_id, required, virtual, proposed FROM occupancy" +
			" WHERE resource_type = ? AND " + s.inIDs("resource_id") + " AND start_s >= ? AND start_s < ? AND end_s > ?"
		args = append(args, typ, s.idArray(claimed[typ]), startFrom, startTo, endAfter)
		if typ == string(planning.ResourceOrganization) {
			arm += " AND kind IN ?"
			args = append(args, models.EnumNames([]models.Kind{models.KindExercise, models.KindExercisePhase}))
		}
		arms = append(arms, arm)
	}
	rows, err := db.Raw(strings.Join(arms, " UNION ALL "), args...).Rows()
	if err != nil {
		return fmt.Errorf("query %d claimed resources: %w", resources, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r occupancyRow
		if err := rows.Scan(&r.ActivityID, &r.Kind, &r.StartS, &r.EndS, &r.ResourceType, &r.ResourceID, &r.Required, &r.Virtual, &r.Proposed); err != nil {
			return fmt.Errorf("scan a claimed resource's row: %w", err)
		}
		ix.add(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the claimed resources' rows: %w", err)
	}
	return nil
}

// loadOverrides reads the moved and cancelled instances of an activity.
func loadOverrides(tx *gorm.DB, id int64) ([]planning.Override, error) {
	var rows []overrideRow
	if err := tx.Where("activity_id = ?", id).Order("recurrence_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load overrides: %w", err)
	}
	out := make([]planning.Override, len(rows))
	for i, r := range rows {
		out[i] = planning.Override{RecurrenceID: time.Unix(r.RecurrenceID, 0).UTC(), Cancelled: r.Cancelled, Start: time.Unix(r.StartS, 0).UTC(), End: time.Unix(r.EndS, 0).UTC()}
	}
	return out, nil
}

// CountOccurrences reports the size of the occurrence index (benchmarks
// and capacity planning).
func (s *Store) CountOccurrences(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&occurrenceRow{}).Count(&n).Error
	return n, err
}

// claimsByType groups claimed resource ids by type.
func claimsByType(claims []planning.Claim) map[string][]int64 {
	byType := map[string][]int64{}
	for _, c := range claims {
		byType[string(c.Resource.Type)] = append(byType[string(c.Resource.Type)], c.Resource.ID)
	}
	return byType
}

// recordLongest raises the longest stored span to seconds if it is longer.
func recordLongest(tx *gorm.DB, seconds int64) error {
	return tx.Exec("UPDATE occupancy_extent SET max_length_s = ? WHERE id = 1 AND max_length_s < ?", seconds, seconds).Error
}

// longestSQL is longestOccurrence as a scalar subquery, for a bound read in
// the statement that uses it.
const longestSQL = "(SELECT max_length_s FROM occupancy_extent WHERE id = 1)"

// longestOccurrence is the longest span ever stored, in seconds.
func longestOccurrence(tx *gorm.DB) (int64, error) {
	var longest int64
	err := tx.Raw("SELECT max_length_s FROM occupancy_extent WHERE id = 1").Scan(&longest).Error
	return longest, err
}

// occurringIn narrows an activities query to those with an occurrence
// overlapping [from, to), through the occurrences' start index bounded by
// the longest occurrence.
func occurringIn(tx *gorm.DB, q *gorm.DB, from, to time.Time) (*gorm.DB, error) {
	longest, err := longestOccurrence(tx)
	if err != nil {
		return nil, err
	}
	return q.Where("activities.id IN (SELECT o.activity_id FROM occurrences o WHERE o.start_s >= ? AND o.start_s < ? AND o.end_s > ?)",
		from.Unix()-longest, to.Unix(), from.Unix()), nil
}
