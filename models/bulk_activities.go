package models

// BulkActivity is one activity of a bulk write: its input and the source
// UID that makes a repeated write skip it.
type BulkActivity struct {
	Input     ActivityInput
	SourceUID string
}

// BulkResult counts what a bulk write did.
type BulkResult struct {
	// Created activities were written; Existing ones were skipped because
	// a live activity carries their source UID.
	Created, Existing int
	// Overridden activities had hard conflicts and were forced through
	// with the writer's override reason, as the booking path would.
	Overridden int
}
