package models

import (
	"time"
)

// AvailabilityQuery asks for the earliest free slots of a set of resources.
type AvailabilityQuery struct {
	Participants []ParticipantInput
	Venue        Ref
	Duration     time.Duration
	From, To     time.Time
	WorkStart    time.Duration
	WorkEnd      time.Duration
	Days         []time.Weekday
	Location     *time.Location
	Limit        int
}
