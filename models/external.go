package models

import (
	"time"
)

// ExternalCalendar is a subscription to a calendar published elsewhere
// whose events make one resource busy (rule external_busy).
type ExternalCalendar struct {
	ID               int64      `json:"id" gorm:"primaryKey"`
	Name             string     `json:"name"`
	URL              string     `json:"url"`
	BlocksType       string     `json:"-"`
	BlocksID         int64      `json:"-"`
	Blocks           FeedOwner  `json:"blocks" gorm:"-"`
	Severity         string     `json:"severity"`
	RefreshSeconds   int64      `json:"-"`
	Refresh          string     `json:"refresh" gorm:"-"`
	ETag             string     `json:"-" gorm:"column:etag"`
	LastModified     string     `json:"-"`
	LastSync         *time.Time `json:"last_sync"`
	LastSuccess      *time.Time `json:"last_success"`
	LastError        string     `json:"last_error"`
	EventCount       int64      `json:"event_count"`
	NextSyncS        int64      `json:"-" gorm:"column:next_sync_s"`
	Stale            bool       `json:"stale" gorm:"-"`
	CreatedByTokenID *int64     `json:"-"`
	// OrganizationID owns the subscription (see visibleExternalCalendars).
	OrganizationID *int64    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ExternalCalendarInput creates a subscription.
type ExternalCalendarInput struct {
	Name     string    `json:"name"`
	URL      string    `json:"url"`
	Blocks   FeedOwner `json:"blocks"`
	Severity string    `json:"severity"`
	Refresh  string    `json:"refresh"`
}

// staleAfter is how many refresh intervals may pass without a good sync
// before conflict answers warn that the busy data is stale.
const staleAfter = 3

// StaleAt says whether, at now, the subscription has gone more than
// staleAfter refresh intervals without a good sync, so that conflict
// answers warn that its busy times may be out of date.
func (e *ExternalCalendar) StaleAt(now time.Time) bool {
	limit := time.Duration(staleAfter*e.RefreshSeconds) * time.Second
	if e.LastSuccess == nil {
		return now.Sub(e.CreatedAt) > limit
	}
	return now.Sub(*e.LastSuccess) > limit
}
