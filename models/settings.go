package models

import (
	"log/slog"
	"time"

	"github.com/jointcal/jointcal/gate"
)

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
	// AgendaComputes bounds the conflicts agendas computed at once, for
	// the API and the pages together: at 100,000 activities one costs
	// about 50 MB and most of a core for 0.7 s, and sixteen distinct ones
	// at once held 944 MB. Further agendas wait up to AgendaWait for a
	// slot, then get ErrAgendaBusy.
	AgendaComputes int
	AgendaWait     time.Duration
	// AgendaGate, when set, is the gate agendas are computed behind
	// instead of a new one of AgendaComputes slots: stores of one process
	// may share it, since the bound is the machine's (and a test holds a
	// slot through it).
	AgendaGate *gate.Gate
	// Log receives what the store does in the background, where no
	// caller sees it fail (SQLite's checkpoints); nil discards it.
	Log *slog.Logger
}

// DefaultSettings are the documented defaults.
func DefaultSettings() Settings {
	return Settings{Planning: DefaultPlanningSettings(), Reminders: DefaultReminderSettings(), Proposals: DefaultProposalSettings(), SQLiteMmapBytes: DefaultSQLiteMmapBytes,
		AgendaComputes: DefaultAgendaComputes, AgendaWait: DefaultAgendaWait}
}

// DefaultAgendaComputes is one agenda per core of the machines jointcal
// is measured on (two); DefaultAgendaWait lets a queue of a few agendas
// drain (about 0.7 s each at 100,000 activities) before turning one away.
const (
	DefaultAgendaComputes = 2
	DefaultAgendaWait     = 5 * time.Second
)

// DefaultSQLiteMmapBytes maps up to 1 GiB of a SQLite file. Reads of a
// large file were dominated by one pread (and lseek) system call per page
// through the pure-Go driver: a month of occurrences over 100,000
// activities took 201 ms p50 without a map and 20 ms with one
// (docs/PERFORMANCE.md). Mapped pages are the kernel's page cache, shared
// and reclaimable, but they count in the process's resident size, so the
// map is bounded; pages beyond it are read as before.
const DefaultSQLiteMmapBytes = 1 << 30
