package models

import (
	"context"
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

// venueKind is how venues differ in the reference CRUD: owned by no
// organisation, so any planner may maintain them; unique by code.
func venueKind() refKind[Venue, VenueInput] {
	return refKind[Venue, VenueInput]{
		entity: "venue",
		row:    func(v *Venue) refRow { return refRow{&v.ID, &v.Version, &v.CreatedAt, &v.UpdatedAt} },
		may:    func(a Actor) error { return a.canWriteReference(0) },
		check:  func(in *VenueInput) error { return in.validate() },
		apply: func(v *Venue, in VenueInput, _ refResolved) {
			v.Code, v.Name, v.Virtual, v.TimeZone, v.Address, v.BufferSeconds = in.Code, in.Name, in.Virtual, in.TimeZone, in.Address, in.BufferSeconds
		},
		unique: func(in VenueInput) (string, string) { return "code", in.Code },
		inUse:  func(v *Venue) (string, string) { return "venue " + v.Code, "activities" },
	}
}

// CreateVenue adds a venue; any planner may.
func (s *Store) CreateVenue(ctx context.Context, a Actor, in VenueInput) (*Venue, error) {
	return createRef(ctx, s, venueKind(), a, in)
}

// UpdateVenue replaces the writable fields of a venue. Bookings already
// made keep their occupancy; the virtual flag applies to later checks.
func (s *Store) UpdateVenue(ctx context.Context, a Actor, id int64, ifVersion int, in VenueInput) (*Venue, error) {
	return updateRef(ctx, s, venueKind(), a, id, ifVersion, in)
}

// DeleteVenue removes a venue no activity uses.
func (s *Store) DeleteVenue(ctx context.Context, a Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, venueKind(), a, id, ifVersion)
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
