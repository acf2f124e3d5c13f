package models

import (
	"time"
)

// NoticeDigest is the weekly agenda a person receives on Monday morning.
const NoticeDigest = "digest"

// DigestHour is when, in each recipient's own zone, the Monday digest is
// due; the digest job runs hourly and picks up those whose hour it is.
const DigestHour = 7

// AgendaItem is one occurrence on a person's agenda.
type AgendaItem struct {
	Activity   ActivityView
	Start, End time.Time
}
