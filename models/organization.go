package models

import (
	"time"
)

// Organization is an institution that owns activities and staff (EU,
// NATO, a national delegation). Its contact address receives reminders
// when the organisation as a whole takes part.
type Organization struct {
	ID           int64  `json:"id" gorm:"primaryKey"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	ContactEmail string `json:"contact_email"`
	// TimeZone is the organisation's home zone (IANA), in which the
	// floating times of a calendar it imports are read.
	TimeZone  string    `json:"timezone" gorm:"column:timezone"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OrganizationInput is the writable part of an Organization.
type OrganizationInput struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	ContactEmail string `json:"contact_email"`
	// TimeZone is an IANA zone; empty means DefaultOrganizationZone.
	TimeZone string `json:"timezone"`
}

// DefaultOrganizationZone is the zone of an organisation that names none:
// jointcal plans for Brussels-based institutions (the EU, NATO and the
// national delegations to both).
const DefaultOrganizationZone = "Europe/Brussels"

// Input returns the writable fields, the base a PATCH is applied to.
func (o *Organization) Input() OrganizationInput {
	return OrganizationInput{Code: o.Code, Name: o.Name, ContactEmail: o.ContactEmail, TimeZone: o.TimeZone}
}

// Validate checks the input and fills the default zone.
func (in *OrganizationInput) Validate() error {
	v := &ValidationError{}
	CheckCode(v, "code", in.Code)
	CheckText(v, "name", in.Name, true, 200)
	CheckEmail(v, "contact_email", in.ContactEmail, false)
	if in.TimeZone == "" {
		in.TimeZone = DefaultOrganizationZone
	}
	CheckZone(v, "timezone", in.TimeZone, true)
	return v.OrNil()
}

// OrganizationFilter narrows the organisation list.
type OrganizationFilter struct {
	Code string
	Q    string
	ListOptions
}
