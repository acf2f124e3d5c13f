package models

import (
	"time"
)

// The notices that tell the lead planners about the answers of required
// participants: an empty chair is known before the meeting, not in it.
const (
	// NoticeDeclined tells the lead organisation's planners, at once,
	// that a required participant declined the activity or one of its
	// occurrences. Its EventID names the person who declined.
	NoticeDeclined = "reply_declined"
	// NoticeChase tells them, N days before an occurrence
	// (JOINTCAL_REPLY_CHASE), which required participants have still not
	// answered.
	NoticeChase = "reply_chase"
)

// The agenda items of replies: soft, since the activity can still take
// place, but a planner must act on them.
const (
	// RuleRequiredDeclined: a required participant declined the
	// occurrence (or the whole activity).
	RuleRequiredDeclined = "required_declined"
	// RuleRequiredNoReply: a required participant has not answered an
	// occurrence that starts within the chase period.
	RuleRequiredNoReply = "required_no_reply"
)

// DefaultReplyChase is the documented default of JOINTCAL_REPLY_CHASE.
const DefaultReplyChase = 3 * 24 * time.Hour

// ReplyNote is what a decline or chase notice says, read when it is sent
// so that it says how things stand then.
type ReplyNote struct {
	Kind       string
	ActivityID int64
	Title      string
	TimeZone   string
	Lead       string
	// Start and End are the occurrence concerned (for a decline of the
	// whole activity, its next occurrence).
	Start, End time.Time
	// WholeActivity: the decline is of every occurrence.
	WholeActivity bool
	Recurring     bool
	// People are who declined (one) or who have not answered.
	People []string
	// Comment is the decliner's own.
	Comment string
	// Language is the recipient's ("en" unless they chose another).
	Language string
}
