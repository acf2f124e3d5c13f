package models

import (
	"time"
)

// Blackout is a period in which some organisations plan nothing (hard) or
// want a warning (soft): a summit week, a holiday.
type Blackout struct {
	ID            int64     `json:"id" gorm:"primaryKey"`
	Title         string    `json:"title"`
	StartAt       time.Time `json:"start"`
	EndAt         time.Time `json:"end"`
	Severity      string    `json:"severity"`
	Organizations []string  `json:"organizations" gorm:"-"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// BlackoutInput is the writable part of a Blackout.
type BlackoutInput struct {
	Title         string    `json:"title"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Severity      string    `json:"severity"`
	Organizations []Ref     `json:"organizations"`
}

// Input returns the writable fields, the base a PATCH is applied to.
func (b *Blackout) Input() BlackoutInput {
	in := BlackoutInput{Title: b.Title, Start: b.StartAt, End: b.EndAt, Severity: b.Severity}
	for _, c := range b.Organizations {
		in.Organizations = append(in.Organizations, Ref(c))
	}
	return in
}

// BlackoutFilter narrows the blackout list.
type BlackoutFilter struct {
	Organization Ref
	From, To     time.Time
	ListOptions
}
