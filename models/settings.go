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
}

// DefaultSettings are the documented defaults.
func DefaultSettings() Settings {
	return Settings{Planning: DefaultPlanningSettings(), Reminders: DefaultReminderSettings(), Proposals: DefaultProposalSettings()}
}
