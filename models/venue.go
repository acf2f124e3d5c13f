package models

import (
	"time"
)

// Venue is a room or site. A physical venue can be double-booked; a
// virtual one (a VTC bridge) never conflicts. Its buffer is the travel or
// turnover gap the soft buffer rule asks for around bookings there.
type Venue struct {
	ID            int64     `json:"id" gorm:"primaryKey"`
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	Virtual       bool      `json:"virtual"`
	TimeZone      string    `json:"timezone" gorm:"column:timezone"`
	Address       string    `json:"address"`
	BufferSeconds int       `json:"buffer_seconds"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// VenueInput is the writable part of a Venue.
type VenueInput struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Virtual       bool   `json:"virtual"`
	TimeZone      string `json:"timezone"`
	Address       string `json:"address"`
	BufferSeconds int    `json:"buffer_seconds"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (v *Venue) Input() VenueInput {
	return VenueInput{Code: v.Code, Name: v.Name, Virtual: v.Virtual, TimeZone: v.TimeZone, Address: v.Address, BufferSeconds: v.BufferSeconds}
}

// Validate checks a venue's fields before the store writes them.
func (in VenueInput) Validate() error {
	v := &ValidationError{}
	CheckCode(v, "code", in.Code)
	CheckText(v, "name", in.Name, true, 200)
	CheckZone(v, "timezone", in.TimeZone, true)
	CheckText(v, "address", in.Address, false, 500)
	if in.BufferSeconds < 0 || in.BufferSeconds > 7*24*3600 {
		v.Add("buffer_seconds", "want 0 to 604800 seconds")
	}
	return v.OrNil()
}

// VenueFilter narrows the venue list.
type VenueFilter struct {
	Virtual *bool
	Q       string
	ListOptions
}
