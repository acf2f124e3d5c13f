package models

import (
	"context"
	"time"

	"gorm.io/gorm"
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

func (in VenueInput) validate() error {
	v := &ValidationError{}
	checkCode(v, "code", in.Code)
	checkText(v, "name", in.Name, true, 200)
	checkZone(v, "timezone", in.TimeZone, true)
	checkText(v, "address", in.Address, false, 500)
	if in.BufferSeconds < 0 || in.BufferSeconds > 7*24*3600 {
		v.add("buffer_seconds", "want 0 to 604800 seconds")
	}
	return v.orNil()
}

// CreateVenue adds a venue; any planner may.
func (s *Store) CreateVenue(ctx context.Context, a Actor, in VenueInput) (*Venue, error) {
	if err := a.canWriteReference(0); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	v := &Venue{Code: in.Code, Name: in.Name, Virtual: in.Virtual, TimeZone: in.TimeZone, Address: in.Address, BufferSeconds: in.BufferSeconds, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(v).Error; err != nil {
			return uniqueErr(err, "code", in.Code)
		}
		return s.audit(tx, a, "create", "venue", v.ID, nil, v, "")
	})
	return v, err
}

// UpdateVenue replaces the writable fields of a venue. Bookings already
// made keep their occupancy; the virtual flag applies to later checks.
func (s *Store) UpdateVenue(ctx context.Context, a Actor, id int64, ifVersion int, in VenueInput) (*Venue, error) {
	if err := a.canWriteReference(0); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var v Venue
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := loadForUpdate(tx, &v, id, ifVersion); err != nil {
			return err
		}
		before := v
		v.Code, v.Name, v.Virtual, v.TimeZone, v.Address, v.BufferSeconds = in.Code, in.Name, in.Virtual, in.TimeZone, in.Address, in.BufferSeconds
		v.Version++
		v.UpdatedAt = s.now()
		if err := tx.Save(&v).Error; err != nil {
			return uniqueErr(err, "code", in.Code)
		}
		return s.audit(tx, a, "update", "venue", v.ID, before, v, "")
	})
	return &v, err
}

// DeleteVenue removes a venue no activity uses.
func (s *Store) DeleteVenue(ctx context.Context, a Actor, id int64, ifVersion int) error {
	if err := a.canWriteReference(0); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var v Venue
		if err := loadForUpdate(tx, &v, id, ifVersion); err != nil {
			return err
		}
		if err := tx.Delete(&v).Error; err != nil {
			return inUseErr(err, "venue "+v.Code, "activities")
		}
		return s.audit(tx, a, "delete", "venue", v.ID, v, nil, "")
	})
}

// GetVenue finds a venue by id or code.
func (s *Store) GetVenue(ctx context.Context, ref Ref) (*Venue, error) {
	return getByRef[Venue](s.db.WithContext(ctx), "venues", "code", ref)
}

// VenueFilter narrows the venue list.
type VenueFilter struct {
	Virtual *bool
	Q       string
	ListOptions
}

// ListVenues lists venues by id.
func (s *Store) ListVenues(ctx context.Context, f VenueFilter) (Page[Venue], error) {
	q := s.db.WithContext(ctx).Model(&Venue{})
	if f.Virtual != nil {
		q = q.Where("virtual = ?", *f.Virtual)
	}
	q = textFilter(q, f.Q, "code", "name", "address")
	return paginate(q, "id", f.ListOptions, func(v Venue) int64 { return v.ID })
}
