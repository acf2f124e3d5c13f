package storage

import (
	"context"

	"github.com/jointcal/jointcal/models"
)

// venueKind is how venues differ in the reference CRUD: owned by no
// organisation, so any planner may maintain them; unique by code.
func venueKind() refKind[models.Venue, models.VenueInput] {
	return refKind[models.Venue, models.VenueInput]{
		entity: "venue",
		shown:  true,
		row:    func(v *models.Venue) refRow { return refRow{&v.ID, &v.Version, &v.CreatedAt, &v.UpdatedAt} },
		may:    func(a models.Actor) error { return a.CanWriteReference(0) },
		check:  func(in *models.VenueInput) error { return in.Validate() },
		apply: func(v *models.Venue, in models.VenueInput, _ refResolved) {
			v.Code, v.Name, v.Virtual, v.TimeZone, v.Address, v.BufferSeconds = in.Code, in.Name, in.Virtual, in.TimeZone, in.Address, in.BufferSeconds
		},
		unique: func(in models.VenueInput) (string, string) { return "code", in.Code },
		inUse:  func(v *models.Venue) (string, string) { return "venue " + v.Code, "activities" },
	}
}

// CreateVenue adds a venue; any planner may.
func (s *Store) CreateVenue(ctx context.Context, a models.Actor, in models.VenueInput) (*models.Venue, error) {
	return createRef(ctx, s, venueKind(), a, in)
}

// UpdateVenue replaces the writable fields of a venue. Bookings already
// made keep their occupancy; the virtual flag applies to later checks.
func (s *Store) UpdateVenue(ctx context.Context, a models.Actor, id int64, ifVersion int, in models.VenueInput) (*models.Venue, error) {
	return updateRef(ctx, s, venueKind(), a, id, ifVersion, in)
}

// DeleteVenue removes a venue no activity uses.
func (s *Store) DeleteVenue(ctx context.Context, a models.Actor, id int64, ifVersion int) error {
	return deleteRef(ctx, s, venueKind(), a, id, ifVersion)
}

// GetVenue finds a venue by id or code.
func (s *Store) GetVenue(ctx context.Context, ref models.Ref) (*models.Venue, error) {
	return getByRef[models.Venue](s.db.WithContext(ctx), "venues", "code", ref)
}

// ListVenues lists venues by id.
func (s *Store) ListVenues(ctx context.Context, f models.VenueFilter) (models.Page[models.Venue], error) {
	q := s.db.WithContext(ctx).Model(&models.Venue{})
	if f.Virtual != nil {
		q = q.Where("virtual = ?", *f.Virtual)
	}
	q = textFilter(q, f.Q, "code", "name", "address")
	return paginate(q, "id", f.ListOptions, func(v models.Venue) int64 { return v.ID })
}
