package models

// Dialect names the database behind a Store, for the few statements that
// differ (migrations, locking).
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Settings are what a store applies that comes from the configuration.
type Settings struct {
	Planning  PlanningSettings
	Reminders ReminderSettings
	Proposals ProposalSettings
	// SQLiteMmapBytes is how much of a SQLite file each connection reads
	// through a memory map instead of a read system call per page
	// (PRAGMA mmap_size); 0 reads every page with pread. Ignored on
	// PostgreSQL.
	SQLiteMmapBytes int64
}

// DefaultSettings are the documented defaults.
func DefaultSettings() Settings {
	return Settings{Planning: DefaultPlanningSettings(), Reminders: DefaultReminderSettings(), Proposals: DefaultProposalSettings(), SQLiteMmapBytes: DefaultSQLiteMmapBytes}
}

// DefaultSQLiteMmapBytes maps up to 1 GiB of a SQLite file. Reads of a
// large file were dominated by one pread (and lseek) system call per page
// through the pure-Go driver: a month of occurrences over 100,000
// activities took 201 ms p50 without a map and 20 ms with one
// (docs/PERFORMANCE.md). Mapped pages are the kernel's page cache, shared
// and reclaimable, but they count in the process's resident size, so the
// map is bounded; pages beyond it are read as before.
const DefaultSQLiteMmapBytes = 1 << 30
