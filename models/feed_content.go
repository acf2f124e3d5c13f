package models

import (
	"time"
)

// FeedWindow is the span of occurrences a feed request covers and how long
// cancelled or deleted activities stay in it.
type FeedWindow struct {
	From, To  time.Time
	Retention time.Duration
}

// FeedItem is one activity a feed shows and its version, which every
// write of the activity (change, cancellation, deletion) increments: the
// pair identifies the activity's rendering.
type FeedItem struct {
	ID      int64
	Version int
}
