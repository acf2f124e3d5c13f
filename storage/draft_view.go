package storage

import (
	"fmt"
	"slices"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// draftView builds the view of a new activity that persist has just
// written from the draft itself, instead of reading the rows back inside
// the write (five statements, under SQLite's one write lock). It goes
// through the view builder loadViews uses (chunkViews.view), fed with the
// rows as the database stores them: times at the database's precision,
// visibility by organisation id, the names the draft read, the venue row
// read with the draft (or read here when the draft has none). It answers
// nil, and the caller reads the view, for what it does not rebuild: an
// activity with overrides of its occurrences.
func (s *Store) draftView(tx *gorm.DB, d *draft) (*models.ActivityView, error) {
	if len(d.overrides) > 0 {
		return nil, nil
	}
	row := d.row
	row.StartAt, row.EndAt = s.storedTime(row.StartAt), s.storedTime(row.EndAt)
	row.CreatedAt, row.UpdatedAt = s.storedTime(row.CreatedAt), s.storedTime(row.UpdatedAt)
	c := &chunkViews{byID: map[int64]*models.Activity{row.ID: &row}, partsBy: map[int64][]models.Participant{row.ID: d.participants},
		visBy: map[int64][]int64{}, ovBy: map[int64][]models.OverrideView{}, venues: map[int64]*models.Venue{}}
	if len(d.visibility) > 0 {
		c.visBy[row.ID] = slices.Sorted(slices.Values(d.visibility)) // read ORDER BY organization_id
	}
	if row.VenueID != nil {
		venue := d.venueRow
		if venue == nil || venue.ID != *row.VenueID {
			var err error
			if venue, err = readVenue(tx, *row.VenueID); err != nil {
				return nil, err
			}
		}
		c.venues[venue.ID] = venue
	}
	names := newNameCache(tx)
	names.add(d.named)
	v, err := c.view(&row, zoneOf(map[string]*time.Location{"": time.UTC}, row.TimeZone), names)
	if err != nil {
		return nil, fmt.Errorf("view of the new activity %d: %w", row.ID, err)
	}
	return &v, nil
}

// storedTime is t as the database gives it back: PostgreSQL keeps
// microseconds (the driver truncates), SQLite the nanoseconds of its text.
func (s *Store) storedTime(t time.Time) time.Time {
	if s.dialect == models.Postgres {
		t = t.Truncate(time.Microsecond)
	}
	return t.UTC()
}

// readVenue reads a venue's row as a view shows it.
func readVenue(tx *gorm.DB, id int64) (*models.Venue, error) {
	var v models.Venue
	if err := tx.Where("id = ?", id).Limit(1).Find(&v).Error; err != nil {
		return nil, fmt.Errorf("read venue %d: %w", id, err)
	}
	if v.ID == 0 {
		return nil, fmt.Errorf("read venue %d: %w", id, models.ErrNotFound)
	}
	return &v, nil
}

// firstAhead is the first of a new activity's occurrences not yet started
// at now, as nextOccurrence reads it from the rows written from them.
func firstAhead(occs []planning.Occurrence, now time.Time) (occSpan, bool) {
	var next occSpan
	found := false
	for _, o := range occs {
		if st := o.Start.Unix(); st > now.Unix() && (!found || st < next.StartS) {
			next, found = occSpan{StartS: st, EndS: o.End.Unix()}, true
		}
	}
	return next, found
}
