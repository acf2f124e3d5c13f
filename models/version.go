package models

// RowVersion is the organization's optimistic-lock version, read generically by
// the store to answer a PATCH's If-Match.
func (o *Organization) RowVersion() int { return o.Version }

// RowVersion is the person's optimistic-lock version, read generically by
// the store to answer a PATCH's If-Match.
func (p *Person) RowVersion() int { return p.Version }

// RowVersion is the body's optimistic-lock version, read generically by
// the store to answer a PATCH's If-Match.
func (b *Body) RowVersion() int { return b.Version }

// RowVersion is the venue's optimistic-lock version, read generically by
// the store to answer a PATCH's If-Match.
func (v *Venue) RowVersion() int { return v.Version }

// RowVersion is the activity's optimistic-lock version, read generically by
// the store to answer a PATCH's If-Match.
func (a *Activity) RowVersion() int { return a.Version }

// RowVersion is the blackout's optimistic-lock version, read generically by
// the store to answer a PATCH's If-Match.
func (b *Blackout) RowVersion() int { return b.Version }
