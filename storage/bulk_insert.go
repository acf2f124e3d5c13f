package storage

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// bindLimit bounds the parameters of one multi-row INSERT. PostgreSQL
// takes up to 65,535. SQLite takes 32,766, but the pure-Go driver binds
// each parameter by searching the argument list from its start, which is
// quadratic in the statement's parameters: 30,000 of them spent half of a
// 15,000-activity generation in that search, 500 cost a few percent.
func (s *Store) bindLimit() int {
	if s.dialect == models.SQLite {
		return 500
	}
	return 30000
}

// rowInsert is one multi-row INSERT of a bulk write: n rows of columns
// into table, the values of row i appended by args in column order.
type rowInsert struct {
	table   string
	columns []string
	n       int
	args    func(i int, dst []any) []any
	// returning, when set, names a column each inserted row returns, in
	// the order of the rows (as gorm's batch insert also relies on).
	returning string
	// plain says every value is an integer, a boolean or a string: on
	// SQLite the rows then travel as one JSON parameter (see insertJSON).
	plain bool
}

// insertRows writes the rows of ins with multi-row INSERT statements of as
// many rows as the parameter limit allows, straight on the transaction's
// connection: the statement of a full chunk is prepared once and run for
// every chunk, without gorm's per-row reflection or its statement cache
// (which, inside a transaction, prepares and finalises the statement on
// every call). It returns the returned column's values, if any.
func (s *Store) insertRows(tx *gorm.DB, ins rowInsert) ([]int64, error) {
	if ins.n == 0 {
		return nil, nil
	}
	if ins.plain && ins.returning == "" && s.dialect == models.SQLite {
		return nil, insertJSON(tx, ins)
	}
	conn := tx.Statement.ConnPool
	if p, ok := conn.(*gorm.PreparedStmtTX); ok {
		conn = p.Tx
	}
	ctx := tx.Statement.Context
	per := max(1, s.bindLimit()/len(ins.columns))
	var out []int64
	if ins.returning != "" {
		out = make([]int64, 0, ins.n)
	}
	vals := make([]any, 0, per*len(ins.columns))
	run := func(stmt *sql.Stmt, query string, from, to int) error {
		vals = vals[:0]
		for i := from; i < to; i++ {
			vals = ins.args(i, vals)
		}
		if ins.returning == "" {
			var err error
			if stmt != nil {
				_, err = stmt.ExecContext(ctx, vals...)
			} else {
				_, err = conn.ExecContext(ctx, query, vals...)
			}
			return err
		}
		var rows *sql.Rows
		var err error
		if stmt != nil {
			rows, err = stmt.QueryContext(ctx, vals...)
		} else {
			rows, err = conn.QueryContext(ctx, query, vals...)
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	}
	full := ins.n / per * per
	if full > 0 {
		stmt, err := conn.PrepareContext(ctx, s.insertSQL(ins, per))
		if err != nil {
			return nil, fmt.Errorf("prepare the insert into %s: %w", ins.table, err)
		}
		defer stmt.Close()
		for from := 0; from < full; from += per {
			if err := run(stmt, "", from, from+per); err != nil {
				return nil, fmt.Errorf("insert into %s: %w", ins.table, err)
			}
		}
	}
	if full < ins.n {
		if err := run(nil, s.insertSQL(ins, ins.n-full), full, ins.n); err != nil {
			return nil, fmt.Errorf("insert into %s: %w", ins.table, err)
		}
	}
	if ins.returning != "" && len(out) != ins.n {
		return nil, fmt.Errorf("insert into %s: %d rows returned their %s, want %d", ins.table, len(out), ins.returning, ins.n)
	}
	return out, nil
}

// insertSQL is the INSERT of rows rows of ins, with the placeholders of
// the store's dialect.
func (s *Store) insertSQL(ins rowInsert, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + ins.table + " (" + strings.Join(ins.columns, ", ") + ") VALUES ")
	k := 0
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range ins.columns {
			if c > 0 {
				b.WriteByte(',')
			}
			k++
			if s.dialect == models.Postgres {
				b.WriteString("$" + strconv.Itoa(k))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	if ins.returning != "" {
		b.WriteString(" RETURNING " + ins.returning)
	}
	return b.String()
}

// jsonChunk is how many rows one JSON parameter carries.
const jsonChunk = 5000

// insertJSON writes plain rows on SQLite as a JSON array of arrays bound
// to one parameter and unpacked by jsonb_each: the pure-Go driver parses
// the SQL text and copies every bound string on each execution, so a
// short statement with one long parameter costs a fraction of a
// multi-row VALUES list (booleans are written as 0 and 1, as the driver
// writes them). jsonb_each, unlike json_each, hands each row on as binary
// JSON, which the column extractions read without printing it as text
// and parsing it again.
func insertJSON(tx *gorm.DB, ins rowInsert) error {
	sel := make([]string, len(ins.columns))
	for i := range ins.columns {
		sel[i] = "value->>" + strconv.Itoa(i)
	}
	query := "INSERT INTO " + ins.table + " (" + strings.Join(ins.columns, ", ") + ") SELECT " + strings.Join(sel, ", ") + " FROM jsonb_each(?)"
	var vals []any
	var buf []byte
	for from := 0; from < ins.n; from += jsonChunk {
		buf = append(buf[:0], '[')
		for i := from; i < min(ins.n, from+jsonChunk); i++ {
			if i > from {
				buf = append(buf, ',')
			}
			buf = append(buf, '[')
			vals = ins.args(i, vals[:0])
			for k, v := range vals {
				if k > 0 {
					buf = append(buf, ',')
				}
				var err error
				if buf, err = appendJSONValue(buf, v); err != nil {
					return fmt.Errorf("insert into %s, column %s: %w", ins.table, ins.columns[k], err)
				}
			}
			buf = append(buf, ']')
		}
		buf = append(buf, ']')
		if err := tx.Exec(query, string(buf)).Error; err != nil {
			return fmt.Errorf("insert into %s: %w", ins.table, err)
		}
	}
	return nil
}

// appendJSONValue appends v, an integer, boolean or string, as JSON.
func appendJSONValue(buf []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case int:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case bool:
		if v {
			return append(buf, '1'), nil
		}
		return append(buf, '0'), nil
	case string:
		b, err := json.Marshal(v)
		return append(buf, b...), err
	}
	return buf, fmt.Errorf("%T is not a plain value", v)
}
