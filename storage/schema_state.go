package storage

import (
	"context"
	"fmt"

	"github.com/jointcal/jointcal/models"
)

// InspectSchema reads the SchemaState of the database, without writing.
func (s *Store) InspectSchema(ctx context.Context) (models.SchemaState, error) {
	var st models.SchemaState
	var ours int64
	db := s.db.WithContext(ctx)
	var err error
	if s.dialect == models.Postgres {
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
