package models

import (
	"time"
)

// Person is a staff member: reminders go to their e-mail address and are
// written in their home time zone.
type Person struct {
	ID               int64  `json:"id" gorm:"primaryKey"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	TimeZone         string `json:"timezone" gorm:"column:timezone"`
	Title            string `json:"title"`
	OrganizationID   *int64 `json:"-"`
	OrganizationCode string `json:"organization" gorm:"-"`
	// ReminderPreferences are the person's own reminder offsets or opt-out.
	ReminderPreferences ReminderPreferences `json:"reminder_preferences" gorm:"serializer:json;type:text"`
	// OIDCSubject binds the person to an identity-provider account
	// ("issuer subject") from their first sign-in through it.
	OIDCSubject *string `json:"-" gorm:"column:oidc_subject"`
	// Language is the person's own ("en", "fr"); shown and changed
	// through /api/v1/me only.
	Language  string    `json:"-"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName maps Person to people.
func (Person) TableName() string { return "people" }

// PersonInput is the writable part of a Person.
type PersonInput struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	TimeZone     string `json:"timezone"`
	Title        string `json:"title"`
	Organization Ref    `json:"organization"`
	// ReminderPreferences: {"opt_out": true} or {"offsets": ["P2D", "PT2H"]}.
	ReminderPreferences ReminderPreferences `json:"reminder_preferences"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (p *Person) Input() PersonInput {
	return PersonInput{Name: p.Name, Email: p.Email, TimeZone: p.TimeZone, Title: p.Title, Organization: Ref(p.OrganizationCode), ReminderPreferences: p.ReminderPreferences}
}

// PersonFilter narrows the people list.
type PersonFilter struct {
	Organization Ref
	Body         Ref
	Q            string
	ListOptions
}
