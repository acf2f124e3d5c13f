package models

import (
	"time"
)

// Reminder kinds and outbox states.
const (
	NoticeReminder     = "reminder"
	NoticeUpdate       = "update"
	NoticeCancellation = "cancellation"
	// NoticeInvitation is sent at once to everyone a booking newly
	// reaches: the iTIP REQUEST they answer.
	NoticeInvitation = "invitation"
	// NoticeRemoval cancels the activity for one person it no longer
	// reaches (removed from it, or from the body that takes part).
	NoticeRemoval = "removal"

	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	// OutboxExpired marks a reminder whose occurrence started before it
	// could be sent: a reminder is never sent after the start.
	OutboxExpired = "expired"
	// OutboxDropped marks a notice that no longer applies (the activity
	// changed, or the recipient may no longer see it).
	OutboxDropped = "dropped"
)

// Reminder is one row of the outbox: a notice to one recipient about one
// occurrence, with its delivery state.
type Reminder struct {
	ID   int64  `json:"id" gorm:"primaryKey"`
	Key  string `json:"key"`
	Kind string `json:"kind"`
	// ActivityID is nil for a digest, which is about a person's week.
	ActivityID        *int64     `json:"activity_id"`
	OccurrenceStartS  int64      `json:"-" gorm:"column:occurrence_start_s"`
	OccurrenceEndS    int64      `json:"-" gorm:"column:occurrence_end_s"`
	OffsetSeconds     int64      `json:"offset_seconds"`
	RecipientEmail    string     `json:"recipient_email"`
	RecipientName     string     `json:"recipient_name"`
	RecipientTimeZone string     `json:"recipient_timezone" gorm:"column:recipient_timezone"`
	Sequence          int        `json:"sequence"`
	DueS              int64      `json:"-" gorm:"column:due_s"`
	Status            string     `json:"status"`
	Attempts          int        `json:"attempts"`
	NextAttemptS      int64      `json:"-" gorm:"column:next_attempt_s"`
	ClaimedS          *int64     `json:"-" gorm:"column:claimed_s"`
	LastError         string     `json:"last_error"`
	MessageID         string     `json:"message_id"`
	SentAt            *time.Time `json:"sent_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	// EventID names the proposal step a NoticeProposal tells about.
	EventID *int64 `json:"-"`
	// JSON views of the Unix-second columns.
	OccurrenceStart time.Time `json:"occurrence_start" gorm:"-"`
	Due             time.Time `json:"due" gorm:"-"`
	NextAttempt     time.Time `json:"next_attempt" gorm:"-"`
}

// Fill derives the time views of the Unix-second columns.
func (r *Reminder) Fill() {
	r.OccurrenceStart = time.Unix(r.OccurrenceStartS, 0).UTC()
	r.Due = time.Unix(r.DueS, 0).UTC()
	r.NextAttempt = time.Unix(r.NextAttemptS, 0).UTC()
}

// ReminderPreferences is what a person says about their reminders.
type ReminderPreferences struct {
	// OptOut stops every reminder to the person (updates and
	// cancellations still reach them: the plan changed under them).
	OptOut bool `json:"opt_out"`
	// Offsets replace the per-kind defaults (not an activity's own).
	Offsets []string `json:"offsets,omitempty"`
	// NoInvitations stops the invitations sent at booking (reminders,
	// updates and cancellations still come).
	NoInvitations bool `json:"no_invitations,omitempty"`
	// NoDigest stops the weekly agenda digest.
	NoDigest bool `json:"no_digest,omitempty"`
}

// ReminderSettings are the outbox rules from the configuration.
type ReminderSettings struct {
	// KindDefaults are the offsets of activities that set none.
	KindDefaults map[string][]time.Duration
	// MaxAttempts before a notice is failed for good.
	MaxAttempts int
	// Lease is how long a claimed notice may stay 'sending' before it is
	// considered abandoned by a crashed dispatcher and claimed again.
	Lease time.Duration
	// PlanAhead is how far ahead of their due time reminder rows are
	// written; the dispatcher plans at least this far on every tick.
	PlanAhead time.Duration
	// Chase is how long before an occurrence the lead planners hear of
	// the required participants who have not answered
	// (JOINTCAL_REPLY_CHASE); 0 turns it off.
	Chase time.Duration
}

// DefaultReminderSettings are the documented outbox defaults. They hold
// no per-kind offsets: those are configuration (JOINTCAL_REMINDER_DEFAULTS,
// whose default lives in package config alone) and the caller sets them.
func DefaultReminderSettings() ReminderSettings {
	return ReminderSettings{
		MaxAttempts: 8,
		Lease:       5 * time.Minute,
		PlanAhead:   2 * time.Minute,
		Chase:       DefaultReplyChase,
	}
}

// NoticeRecipient is what composing a notice needs of its recipient
// beyond the outbox row: the person behind the address (0 for an
// organisation's contact address that is nobody's own), their language
// and their whole-activity answer so far.
type NoticeRecipient struct {
	PersonID int64
	Language string
	PartStat string
	// Until is the end of the activity's last occurrence: answer links
	// expire then.
	Until time.Time
}

// ReminderFilter narrows the outbox list.
type ReminderFilter struct {
	Status   string
	Activity int64
	From, To time.Time
	ListOptions
}

// ParticipantIDs splits an activity's participants by type.
func (v *ActivityView) ParticipantIDs() (people, bodies, orgs []int64) {
	for _, p := range v.Participants {
		switch p.Type {
		case "person":
			people = append(people, p.ID)
		case "body":
			bodies = append(bodies, p.ID)
		case "organization":
			orgs = append(orgs, p.ID)
		}
	}
	return people, bodies, orgs
}
