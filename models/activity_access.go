package models

// WriteAccess answers, for one actor, whether they may change activities
// led by an organisation (named by code). Pages ask it to decide what to
// offer — an edit link, a draggable event — without a query per item;
// every write is still authorised again by the store.
type WriteAccess struct {
	Actor Actor            `json:"-" gorm:"-"`
	Orgs  map[string]int64 `json:"-" gorm:"-"`
}

// LedBy reports whether the actor may change an activity led by the
// organisation with this code.
func (w WriteAccess) LedBy(code string) bool {
	id, ok := w.Orgs[code]
	return ok && w.Actor.CanWriteActivity(id) == nil && !w.Actor.ReadOnly()
}
