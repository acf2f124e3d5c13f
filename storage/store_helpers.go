package storage

import (
	"errors"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// loadForUpdate reads row id into dst and checks the caller's expected
// version; on PostgreSQL the row is locked until the transaction ends.
func loadForUpdate[T any](tx *gorm.DB, dst *T, id int64, ifVersion int) error {
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.First(dst, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrNotFound
		}
		return err
	}
	if ifVersion != 0 && versionOf(dst) != ifVersion {
		return models.ErrStale
	}
	return nil
}

// versioned is implemented by rows that carry an optimistic-lock version.
type versioned interface{ RowVersion() int }

func versionOf(row any) int {
	if v, ok := row.(versioned); ok {
		return v.RowVersion()
	}
	return 0
}

// getByRef loads the row of table whose id or code equals ref.
func getByRef[T any](db *gorm.DB, table, codeColumn string, ref models.Ref) (*T, error) {
	id, err := resolve(db, table, codeColumn, ref)
	if err != nil {
		return nil, err
	}
	var row T
	if err := db.First(&row, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, err
	}
	return &row, nil
}

// uniqueErr turns a unique violation into a DuplicateError on field.
func uniqueErr(err error, field, value string) error {
	if isDuplicate(err) {
		return &models.DuplicateError{Field: field, Value: value}
	}
	return err
}

// inUseErr turns a foreign-key violation on delete into an InUseError.
func inUseErr(err error, entity, by string) error {
	if errors.Is(err, gorm.ErrForeignKeyViolated) || isSQLiteForeignKey(err) {
		return &models.InUseError{Entity: entity, By: by}
	}
	return err
}

// isSQLiteForeignKey reports a foreign-key refusal by SQLite: the
// pure-Go dialector translates no errors, so GORM's ErrForeignKeyViolated
// only ever comes from PostgreSQL. SQLite says SQLITE_CONSTRAINT_FOREIGNKEY
// (787) for a deferred check and SQLITE_CONSTRAINT_TRIGGER (1811) for an
// ON DELETE RESTRICT, both "FOREIGN KEY constraint failed".
func isSQLiteForeignKey(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	return coded.Code() == 787 || (coded.Code() == 1811 && strings.Contains(err.Error(), "FOREIGN KEY"))
}

// textFilter adds a case-insensitive substring match of q over columns.
func textFilter(q *gorm.DB, text string, columns ...string) *gorm.DB {
	text = strings.TrimSpace(text)
	if text == "" {
		return q
	}
	pattern := "%" + escapeLike(strings.ToLower(text)) + "%"
	parts := make([]string, len(columns))
	args := make([]any, len(columns))
	for i, c := range columns {
		parts[i] = "LOWER(" + c + ") LIKE ? ESCAPE '\\'"
		args[i] = pattern
	}
	return q.Where("("+strings.Join(parts, " OR ")+")", args...)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func derefID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

func ptrs[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// distinctIDs lists the ids of n rows once each, in first-seen order
// (the activities of a list of occurrences, to load each once).
func distinctIDs(n int, id func(i int) int64) []int64 {
	out := make([]int64, 0, n)
	seen := make(map[int64]bool, n)
	for i := 0; i < n; i++ {
		if v := id(i); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
