package models

import (
	"time"
)

// Body is a committee, staff or service inside an organisation (NAC, PSC,
// EU Military Staff). It meets, so it can be double-booked, and its
// members receive the reminders of the activities it takes part in.
type Body struct {
	ID               int64     `json:"id" gorm:"primaryKey"`
	Code             string    `json:"code"`
	Name             string    `json:"name"`
	OrganizationID   int64     `json:"-"`
	OrganizationCode string    `json:"organization" gorm:"-"`
	Members          []string  `json:"members" gorm:"-"`
	Version          int       `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// TableName maps Body to bodies.
func (Body) TableName() string { return "bodies" }

// BodyInput is the writable part of a Body; members are people by id or
// e-mail address.
type BodyInput struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Organization Ref    `json:"organization"`
	Members      []Ref  `json:"members"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (b *Body) Input() BodyInput {
	in := BodyInput{Code: b.Code, Name: b.Name, Organization: Ref(b.OrganizationCode), Members: []Ref{}}
	for _, m := range b.Members {
		in.Members = append(in.Members, Ref(m))
	}
	return in
}

// BodyFilter narrows the body list.
type BodyFilter struct {
	Organization Ref
	Member       Ref
	Q            string
	ListOptions
}
