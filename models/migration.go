package models

// Migration is one versioned schema change. A file NNNN_name.sql applies
// to every database; NNNN_name.postgres.sql or NNNN_name.sqlite.sql only to
// that one (PostgreSQL-only constraints such as the btree_gist exclusion
// live there).
type Migration struct {
	Version int
	Name    string
	SQL     string
}
