package models

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// FeedFilter selects what a feed publishes. Lists are ORed within a field
// and ANDed across fields; an empty list does not filter.
type FeedFilter struct {
	Organizations []string `json:"organizations,omitempty"`
	Bodies        []string `json:"bodies,omitempty"`
	People        []string `json:"people,omitempty"`
	Venues        []string `json:"venues,omitempty"`
	Kinds         []string `json:"kinds,omitempty"`
	Areas         []string `json:"areas,omitempty"`
	Series        []string `json:"series,omitempty"`
	Statuses      []string `json:"statuses,omitempty"`
}

// FeedOwner is whose eyes a feed sees with: a person (their organisation's
// visibility) or an organisation.
type FeedOwner struct {
	Type     string `json:"type"`
	IDOrCode Ref    `json:"id_or_code"`
}

// Feed is an iCalendar subscription with a secret URL.
type Feed struct {
	ID               int64      `json:"id" gorm:"primaryKey"`
	Name             string     `json:"name"`
	OwnerType        string     `json:"-"`
	OwnerID          int64      `json:"-"`
	Owner            FeedOwner  `json:"owner" gorm:"-"`
	FilterJSON       RawJSON    `json:"-" gorm:"column:filter;type:text"`
	Filter           FeedFilter `json:"filter" gorm:"-"`
	TokenHash        string     `json:"-"`
	CreatedByTokenID *int64     `json:"-"`
	// CreatedByPersonID is the signed-in person who made the feed.
	CreatedByPersonID *int64     `json:"-"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	RevokedAt         *time.Time `json:"revoked_at,omitempty"`
	LastFetchedAt     *time.Time `json:"last_fetched_at"`
	FetchCount        int64      `json:"fetch_count"`
	LastUserAgent     string     `json:"last_user_agent"`
}

// FeedInput creates a feed.
type FeedInput struct {
	Name   string     `json:"name"`
	Owner  FeedOwner  `json:"owner"`
	Filter FeedFilter `json:"filter"`
}

// HashFeedToken is the at-rest form of a feed URL token.
func HashFeedToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// FeedFetch is one subscriber poll, recorded in batches.
type FeedFetch struct {
	FeedID    int64
	At        time.Time
	UserAgent string
	Count     int64
}
