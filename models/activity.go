package models

import (
	"strconv"
	"time"

	"github.com/jointcal/jointcal/planning"
)

// Activity is the stored row of anything planned. Its JSON form is
// ActivityView; its writable form ActivityInput.
type Activity struct {
	ID                 int64 `gorm:"primaryKey"`
	Kind               string
	Title              string
	Description        string
	StartAt            time.Time
	EndAt              time.Time
	TimeZone           string `gorm:"column:timezone"`
	AllDay             bool
	RRule              string `gorm:"column:rrule"`
	ExDates            Times  `gorm:"column:exdates;type:text"`
	RDates             Times  `gorm:"column:rdates;type:text"`
	Status             string
	Format             string
	VenueID            *int64
	LeadOrganizationID int64
	Restricted         bool
	Areas              Strings `gorm:"type:text"`
	Series             string
	ParentID           *int64
	Reminders          Strings `gorm:"type:text"`
	ConferenceURL      string  `gorm:"column:conference_url"`
	Version            int
	// Sequence is the iCalendar SEQUENCE: it grows on every change of
	// time, place, status or title, so subscribed clients take the update.
	Sequence  int
	SourceUID *string `gorm:"column:source_uid"`
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt marks a tombstone: the activity is gone for the API but
	// feeds still publish its cancellation for a while.
	DeletedAt *time.Time
}

// Participant is one person, body or organisation taking part in an
// activity, with its role, whether it is required, and its RSVP.
type Participant struct {
	ID         int64 `gorm:"primaryKey"`
	ActivityID int64
	Position   int
	Type       string
	RefID      int64
	Role       string
	Required   bool
	RSVP       string `gorm:"column:rsvp"`
}

// TableName maps Participant to participants.
func (Participant) TableName() string { return "participants" }

// ParticipantInput names a participant by type and id or code.
type ParticipantInput struct {
	Type     string `json:"type"`
	IDOrCode Ref    `json:"id_or_code"`
	Role     string `json:"role,omitempty"`
	Required *bool  `json:"required,omitempty"`
	RSVP     string `json:"rsvp,omitempty"`
}

// ActivityInput is the writable form of an activity, as the API takes it.
// A PATCH is applied by decoding onto the Input of the current activity.
type ActivityInput struct {
	Kind             string             `json:"kind"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	Start            time.Time          `json:"start"`
	End              time.Time          `json:"end"`
	TimeZone         string             `json:"timezone"`
	AllDay           bool               `json:"all_day"`
	RRule            string             `json:"rrule"`
	ExDates          []time.Time        `json:"exdates"`
	RDates           []time.Time        `json:"rdates"`
	Status           string             `json:"status"`
	Format           string             `json:"format"`
	Venue            Ref                `json:"venue"`
	LeadOrganization Ref                `json:"lead_organization"`
	Participants     []ParticipantInput `json:"participants"`
	Visibility       []Ref              `json:"visibility"`
	Areas            []string           `json:"areas"`
	Series           string             `json:"series"`
	Parent           Ref                `json:"parent"`
	Reminders        []string           `json:"reminders"`
	ConferenceURL    string             `json:"conference_url"`
	// Overrides, when set (imports), replace the stored moved and
	// cancelled instances instead of keeping them.
	Overrides *[]planning.Override `json:"-" gorm:"-"`
}

// ResourceView names a participant, venue or organisation in answers.
type ResourceView struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	Code string `json:"code,omitempty"`
	Name string `json:"name"`
}

// ParticipantView is a participant as the API shows it.
type ParticipantView struct {
	Type     string `json:"type"`
	ID       int64  `json:"id"`
	IDOrCode string `json:"id_or_code"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	Role     string `json:"role"`
	Required bool   `json:"required"`
	RSVP     string `json:"rsvp"`
}

// OverrideView is a moved or cancelled instance of a recurring activity.
type OverrideView struct {
	RecurrenceID time.Time `json:"recurrence_id"`
	Cancelled    bool      `json:"cancelled"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
}

// ActivityView is an activity as the API, feeds and e-mails show it:
// references resolved to codes and names, times in the activity's zone.
type ActivityView struct {
	ID               int64             `json:"id"`
	Kind             string            `json:"kind"`
	Title            string            `json:"title"`
	Description      string            `json:"description"`
	Start            time.Time         `json:"start"`
	End              time.Time         `json:"end"`
	TimeZone         string            `json:"timezone"`
	AllDay           bool              `json:"all_day"`
	RRule            string            `json:"rrule"`
	ExDates          []time.Time       `json:"exdates"`
	RDates           []time.Time       `json:"rdates"`
	Overrides        []OverrideView    `json:"overrides"`
	Status           string            `json:"status"`
	Format           string            `json:"format"`
	Venue            string            `json:"venue"`
	VenueDetail      *Venue            `json:"venue_detail,omitempty"`
	LeadOrganization string            `json:"lead_organization"`
	Participants     []ParticipantView `json:"participants"`
	Visibility       []string          `json:"visibility"`
	Areas            []string          `json:"areas"`
	Series           string            `json:"series"`
	Parent           *int64            `json:"parent"`
	Reminders        []string          `json:"reminders"`
	ConferenceURL    string            `json:"conference_url"`
	Version          int               `json:"version"`
	Sequence         int               `json:"sequence"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
	DeletedAt        *time.Time        `json:"deleted_at,omitempty"`
	// Replies, in lists, counts the answers of the people the activity
	// reaches, for those who plan it (FillReplySummaries); nil otherwise.
	Replies *ReplySummary `json:"replies,omitempty"`
	// Restricted and allowed carry visibility to CanSee without another
	// query; they are never serialised.
	Restricted bool    `json:"-" gorm:"-"`
	Allowed    []int64 `json:"-" gorm:"-"`
}

// Input returns the writable fields of a view: the base a PATCH is
// decoded onto, so that absent fields keep their values.
func (v *ActivityView) Input() ActivityInput {
	in := ActivityInput{
		Kind: v.Kind, Title: v.Title, Description: v.Description, Start: v.Start, End: v.End,
		TimeZone: v.TimeZone, AllDay: v.AllDay, RRule: v.RRule, ExDates: v.ExDates, RDates: v.RDates,
		Status: v.Status, Format: v.Format, Venue: Ref(v.Venue), LeadOrganization: Ref(v.LeadOrganization),
		Areas: v.Areas, Series: v.Series, Reminders: v.Reminders, ConferenceURL: v.ConferenceURL,
	}
	if v.Parent != nil {
		in.Parent = Ref(strconv.FormatInt(*v.Parent, 10))
	}
	for _, p := range v.Participants {
		req := p.Required
		in.Participants = append(in.Participants, ParticipantInput{Type: p.Type, IDOrCode: Ref(p.IDOrCode), Role: p.Role, Required: &req, RSVP: p.RSVP})
	}
	for _, c := range v.Visibility {
		in.Visibility = append(in.Visibility, Ref(c))
	}
	return in
}
