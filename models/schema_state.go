package models

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
