package storage

import (
	"strconv"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// inIDs is the condition that column is one of the ids passed as a single
// parameter (idArray): the statement text is the same for every list, so
// SQLite keeps it compiled (an IN list of 1,000 placeholders is a text too
// long for its statement cache, parsed and planned again each time) and
// PostgreSQL plans a short statement (planning 1,000 placeholders cost
// about 9 ms). Both still look each id up in an index on column.
func (s *Store) inIDs(column string) string { return inIDsOf(s.dialect, column) }

// inIDsOf is inIDs for a dialect, for code that holds a transaction
// rather than the store.
func inIDsOf(dialect models.Dialect, column string) string {
	if dialect == models.Postgres {
		return column + " = ANY(CAST(? AS BIGINT[]))"
	}
	return column + " IN (SELECT value FROM json_each(?))"
}

// idArray is ids as the one parameter inIDs takes: a PostgreSQL array
// literal or, on SQLite, a JSON array.
func (s *Store) idArray(ids []int64) string { return idArrayOf(s.dialect, ids) }

// idArrayOf is idArray for a dialect.
func idArrayOf(dialect models.Dialect, ids []int64) string {
	open, end := byte('['), byte(']')
	if dialect == models.Postgres {
		open, end = '{', '}'
	}
	buf := make([]byte, 0, 8*len(ids)+2)
	buf = append(buf, open)
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, id, 10)
	}
	return string(append(buf, end))
}

// dialectOf is the dialect of a session, for code that holds a
// transaction rather than the store.
func dialectOf(db *gorm.DB) models.Dialect {
	if db.Dialector.Name() == "postgres" {
		return models.Postgres
	}
	return models.SQLite
}
