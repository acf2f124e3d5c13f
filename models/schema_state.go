package models

import (
	"context"
	"fmt"
)

// SchemaState is what a database holds before jointcal migrates it.
type SchemaState struct {
	// Tables counts the tables of the current schema.
	Tables int64
	// Jointcal reports whether jointcal's schema_migrations is among them.
	Jointcal bool
}

// Foreign reports whether the database holds tables but is not
// jointcal's: migrating it would scatter jointcal's tables among someone
// else's (as a mistyped URL once did to a shared database).
func (st SchemaState) Foreign() bool { return st.Tables > 0 && !st.Jointcal }

// InspectSchema reads the SchemaState of the database, without writing.
func (s *Store) InspectSchema(ctx context.Context) (SchemaState, error) {
	var st SchemaState
	var ours int64
	db := s.db.WithContext(ctx)
	var err error
	if s.dialect == Postgres {
		err = db.Raw(`SELECT count(*), count(*) FILTER (WHERE table_name = 'schema_migrations') FROM information_schema.tables WHERE table_schema = current_schema()`).Row().Scan(&st.Tables, &ours)
	} else {
		err = db.Raw(`SELECT count(*), coalesce(sum(name = 'schema_migrations'), 0) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Row().Scan(&st.Tables, &ours)
	}
	if err != nil {
		return st, fmt.Errorf("inspect schema: %w", err)
	}
	st.Jointcal = ours > 0
	return st, nil
}
