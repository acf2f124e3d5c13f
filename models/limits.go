package models

import "time"

// Caps on one activity. Each multiplies work for everyone else: reminders
// multiply e-mails, exception dates are read with every expansion, and an
// occurrence's length widens every occupancy range query (the store
// bounds those queries by the longest span it holds). Imports and
// external calendars meet the same caps. The README lists them.
const (
	// MaxReminders is the most reminder offsets one activity may have.
	MaxReminders = 10
	// MaxExceptionDates is the most EXDATEs, and separately the most
	// RDATEs, one activity may have.
	MaxExceptionDates = 1000
	// MaxActivitySpan is the longest one occurrence may last: a year and
	// a day, enough for a year-long programme.
	MaxActivitySpan = 367 * 24 * time.Hour
)
