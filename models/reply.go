package models

import (
	"encoding/json"
	"time"
)

// ReplyChannel is how an answer reached jointcal; audited with it, so a
// planner can tell a click in an e-mail from a calendar client's reply.
type ReplyChannel string

// The channels of a reply.
const (
	ChannelLink  ReplyChannel = "link"
	ChannelAPI   ReplyChannel = "api"
	ChannelWeb   ReplyChannel = "web"
	ChannelEmail ReplyChannel = "email"
)

// ReplyInput is what a participant answers.
type ReplyInput struct {
	PartStat string `json:"partstat"`
	Comment  string `json:"comment"`
	// Occurrence, for a recurring activity, is the original start of the
	// one occurrence answered; nil answers for the whole activity.
	Occurrence *time.Time `json:"occurrence"`
}

// ReplyPerson names who answered.
type ReplyPerson struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// OccurrenceReply is an answer for one occurrence of a recurring activity.
type OccurrenceReply struct {
	Occurrence time.Time `json:"occurrence"`
	PartStat   string    `json:"partstat"`
	Comment    string    `json:"comment"`
	Channel    string    `json:"channel"`
	RepliedAt  time.Time `json:"replied_at"`
}

// Reply is one participant's state for an activity: their answer (or
// needs_action when they have given none), with its comment, channel and
// time, and their answers for single occurrences.
type Reply struct {
	Activity    int64             `json:"activity"`
	Person      ReplyPerson       `json:"person"`
	Required    bool              `json:"required"`
	PartStat    string            `json:"partstat"`
	Comment     string            `json:"comment"`
	Channel     *string           `json:"channel"`
	RepliedAt   *time.Time        `json:"replied_at"`
	Occurrences []OccurrenceReply `json:"occurrences"`
}

// ReplySummary counts the whole-activity answers of the people an
// activity reaches: "3 accepted, 1 declined, 2 no answer".
type ReplySummary struct {
	Accepted    int `json:"accepted"`
	Tentative   int `json:"tentative"`
	Declined    int `json:"declined"`
	NeedsAction int `json:"needs_action"`
}

// Count adds one answer (or needs-action) to the summary.
func (s *ReplySummary) Count(partstat string) {
	switch RSVP(partstat) {
	case RSVPAccepted:
		s.Accepted++
	case RSVPTentative:
		s.Tentative++
	case RSVPDeclined:
		s.Declined++
	default:
		s.NeedsAction++
	}
}

// ReplyList is a page of the reply table of an activity with the summary
// of all of it.
type ReplyList struct {
	Page[Reply]
	Summary ReplySummary
}

// MarshalJSON writes the page and its summary side by side.
func (l ReplyList) MarshalJSON() ([]byte, error) {
	page, err := l.Page.MarshalJSON()
	if err != nil {
		return nil, err
	}
	summary, err := json.Marshal(map[string]ReplySummary{"summary": l.Summary})
	if err != nil {
		return nil, err
	}
	// Both are JSON objects: join their members.
	return append(append(page[:len(page)-1], ','), summary[1:]...), nil
}

// ReplyLinkSubject is what the page of an answer link shows: whose link
// it is, about what, and their answer so far.
type ReplyLinkSubject struct {
	PersonName, Language    string
	Title, TimeZone         string
	Start, End              time.Time
	AllDay, Repeats         bool
	PartStat                string
	Cancelled, NotRecipient bool
}
