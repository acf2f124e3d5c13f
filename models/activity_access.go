package models

import (
	"context"
	"errors"
)

// WriteAccess answers, for one actor, whether they may change activities
// led by an organisation (named by code). Pages ask it to decide what to
// offer — an edit link, a draggable event — without a query per item;
// every write is still authorised again by the store.
type WriteAccess struct {
	actor Actor
	orgs  map[string]int64
}

// LedBy reports whether the actor may change an activity led by the
// organisation with this code.
func (w WriteAccess) LedBy(code string) bool {
	id, ok := w.orgs[code]
	return ok && w.actor.canWriteActivity(id) == nil && !w.actor.ReadOnly()
}

// WriteAccess loads what LedBy needs: the organisations' ids by code.
func (s *Store) WriteAccess(ctx context.Context, a Actor) (WriteAccess, error) {
	var rows []Organization
	if err := s.db.WithContext(ctx).Select("id", "code").Find(&rows).Error; err != nil {
		return WriteAccess{}, err
	}
	w := WriteAccess{actor: a, orgs: make(map[string]int64, len(rows))}
	for _, o := range rows {
		w.orgs[o.Code] = o.ID
	}
	return w, nil
}

// CanWriteActivity reports whether a may change activity id: a sees it,
// it is not deleted, and a's role allows changing what its lead
// organisation leads. An activity a may not see is simply false.
func (s *Store) CanWriteActivity(ctx context.Context, a Actor, id int64) (bool, error) {
	v, err := s.GetActivity(ctx, a, id)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrGone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	w, err := s.WriteAccess(ctx, a)
	if err != nil {
		return false, err
	}
	return w.LedBy(v.LeadOrganization), nil
}
