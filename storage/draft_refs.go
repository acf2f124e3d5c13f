package storage

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// namedRow is a row an activity input names: what its reference, a
// venue's claim and a conflict's description of it need.
type namedRow struct {
	id            int64
	code, name    string
	virtual       bool
	bufferSeconds int
}

// namedRows are the rows an activity input's names resolved to, by table,
// found by id or by code as resolve finds a single one: a reference that
// parses as an id names the row with that id, any other names the row
// with that code.
type namedRows struct {
	byID   map[string]map[int64]namedRow
	byCode map[string]map[string]namedRow
}

// namedTable is a table an activity input names rows of (nameTables):
// the resource type, the table, the column it is named by and what a
// claim on it needs besides (a venue's virtual flag and buffer).
type namedTable struct{ typ, table, code, claim string }

// namedTables are nameTables in the order of their arms in lookupNames'
// statement (sorted by type: the same text for the same shape, one
// prepared statement).
var namedTables = func() []namedTable {
	var out []namedTable
	for _, typ := range slices.Sorted(maps.Keys(nameTables)) {
		t := namedTable{typ: typ, table: nameTables[typ][0], code: nameTables[typ][1], claim: "FALSE, 0"}
		if typ == string(models.ResourceVenue) {
			t.claim = "virtual, buffer_seconds"
		}
		out = append(out, t)
	}
	return out
}()

// lookupNames reads every organisation, person, body and venue in names
// (references by table) in one statement, a UNION ALL of one arm per
// table through its primary key and unique code: on PostgreSQL each
// statement is a round trip, and a booking named its lead organisation,
// venue, visibility and participants in one or more each.
func lookupNames(tx *gorm.DB, names map[string][]models.Ref) (namedRows, error) {
	found := namedRows{byID: map[string]map[int64]namedRow{}, byCode: map[string]map[string]namedRow{}}
	var sql strings.Builder
	var args []any
	for _, t := range namedTables {
		var ids []int64
		var codes []string
		for _, r := range names[t.table] {
			if n, ok := r.ID(); ok {
				ids = append(ids, n)
			} else if r != "" {
				codes = append(codes, string(r))
			}
		}
		if len(ids) == 0 && len(codes) == 0 {
			continue
		}
		if sql.Len() > 0 {
			sql.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&sql, "SELECT '%s' AS tbl, id, %s AS code, name, %s FROM %s WHERE ", t.table, t.code, t.claim, t.table)
		switch {
		case len(ids) > 0 && len(codes) > 0:
			sql.WriteString("(id IN ? OR " + t.code + " IN ?)")
			args = append(args, ids, codes)
		case len(ids) > 0:
			sql.WriteString("id IN ?")
			args = append(args, ids)
		default:
			sql.WriteString(t.code + " IN ?")
			args = append(args, codes)
		}
	}
	if sql.Len() == 0 {
		return found, nil
	}
	rows, err := tx.Raw(sql.String(), args...).Rows()
	if err != nil {
		return found, fmt.Errorf("resolve references: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var r namedRow
		if err := rows.Scan(&table, &r.id, &r.code, &r.name, &r.virtual, &r.bufferSeconds); err != nil {
			return found, fmt.Errorf("resolve references: %w", err)
		}
		if found.byID[table] == nil {
			found.byID[table], found.byCode[table] = map[int64]namedRow{}, map[string]namedRow{}
		}
		found.byID[table][r.id] = r
		found.byCode[table][r.code] = r
	}
	if err := rows.Err(); err != nil {
		return found, fmt.Errorf("resolve references: %w", err)
	}
	return found, nil
}

// field finds the row of table that r names, recording in v under field
// when it names nothing (an empty r names nothing and is no error: a
// required one is checked where it is read).
func (f namedRows) field(v *models.ValidationError, field, table string, r models.Ref) namedRow {
	if r == "" {
		return namedRow{}
	}
	var row namedRow
	var ok bool
	if n, isID := r.ID(); isID {
		row, ok = f.byID[table][n]
	} else {
		row, ok = f.byCode[table][string(r)]
	}
	if !ok {
		v.Add(field, "no %s with id or code %q", entityOf(table), string(r))
	}
	return row
}

// resources are the rows found as the resources a conflict names, so
// that describing a draft's conflicts need not read the names again.
func (f namedRows) resources() []models.ResourceView {
	var out []models.ResourceView
	for _, t := range namedTables {
		for _, r := range f.byID[t.table] {
			out = append(out, models.ResourceView{Type: t.typ, ID: r.id, Code: r.code, Name: r.name})
		}
	}
	return out
}

// venue is the venue row r names as a draft's claim needs it (id, code,
// name, virtual, buffer), recording in v when it names nothing.
func (f namedRows) venue(v *models.ValidationError, r models.Ref) models.Venue {
	row := f.field(v, "venue", "venues", r)
	return models.Venue{ID: row.id, Code: row.code, Name: row.name, Virtual: row.virtual, BufferSeconds: row.bufferSeconds}
}

// inputNames lists the references of in by the table they name: its lead
// organisation, visibility, participants and venue.
func inputNames(in models.ActivityInput) map[string][]models.Ref {
	names := map[string][]models.Ref{}
	names["organizations"] = append([]models.Ref{in.LeadOrganization}, in.Visibility...)
	for _, p := range in.Participants {
		if t, ok := participantTables[p.Type]; ok {
			names[t[0]] = append(names[t[0]], p.IDOrCode)
		}
	}
	names["venues"] = []models.Ref{in.Venue}
	return names
}
