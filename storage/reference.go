package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// refKind describes one kind of reference data (organisations, venues,
// people, bodies, blackouts) to the one create, update and delete they
// all share, so that the steps every change takes — optimistic version,
// save, duplicate and in-use errors, audit — are written once, and each
// kind says only how it differs. Hooks left nil are skipped.
type refKind[R, In any] struct {
	// entity names the kind in the audit trail.
	entity string
	// shown says calendar events show rows of the kind (names, codes): an
	// update sets the row's shown_at, from which the feeds' reference
	// fingerprint is taken (FeedContents).
	shown bool
	// participant is the participant type naming rows of the kind
	// ("person", "body", "organization"; "" for none). refuseDelete keeps
	// a row live activities name; the deleted activities naming it (kept
	// in feeds until their retention ends) lose it when it is deleted,
	// with their version moved so that their events are rendered again.
	participant string
	// row points at the fields every reference row carries.
	row func(r *R) refRow
	// may authorises the actor before the transaction, for kinds whose
	// rule does not depend on the data (organisations, venues).
	may func(a models.Actor) error
	// check validates input that needs no database, before the
	// transaction; it may fill defaults.
	check func(in *In) error
	// mayChange authorises a change or deletion of the row as stored,
	// just after it is loaded.
	mayChange func(tx *gorm.DB, a models.Actor, r *R) error
	// resolve validates input against the database (the organisations
	// and people it names) and authorises the actor for it; old is the
	// stored row on update, nil on create.
	resolve func(tx *gorm.DB, a models.Actor, in *In, old *R) (refResolved, error)
	// apply sets the row's writable fields from the input.
	apply func(r *R, in In, res refResolved)
	// link writes the rows beside the row (body members, blackout
	// organisations) after it is saved.
	link func(tx *gorm.DB, r *R, res refResolved) error
	// fill sets the fields that are not columns (codes, members) for the
	// answer and the audit trail.
	fill func(tx *gorm.DB, r *R) error
	// unique names the unique field and value a duplicate key error is
	// reported on; nil passes the error as it is.
	unique func(in In) (field, value string)
	// refuseDelete runs before a deletion, to refuse one that activities
	// still depend on (and to fill what the audit entry shows).
	refuseDelete func(tx *gorm.DB, r *R) error
	// inUse names the row and what may refer to it when the database
	// refuses its deletion; nil passes the error as it is.
	inUse func(r *R) (entity, by string)
}

// refRow points at the fields every reference row has: its id, version
// and timestamps.
type refRow struct {
	ID                   *int64
	Version              *int
	CreatedAt, UpdatedAt *time.Time
}

// refResolved is what resolve found in an input: the owning organisation
// and the ids of the rows linked to it (members, organisations).
type refResolved struct {
	OrgID int64
	IDs   []int64
}

// createRef adds a row of kind k from in, with version 1, and audits it.
func createRef[R, In any](ctx context.Context, s *Store, k refKind[R, In], a models.Actor, in In) (*R, error) {
	if err := k.before(a, &in); err != nil {
		return nil, err
	}
	var r R
	err := s.write(ctx, func(tx *gorm.DB) error {
		var zero R
		r = zero
		res, err := k.resolveIn(tx, a, &in, nil)
		if err != nil {
			return err
		}
		now := s.now()
		k.apply(&r, in, res)
		m := k.row(&r)
		*m.Version, *m.CreatedAt, *m.UpdatedAt = 1, now, now
		if err := tx.Create(&r).Error; err != nil {
			return k.saveErr(err, in)
		}
		if err := k.after(tx, &r, res); err != nil {
			return err
		}
		return s.audit(tx, a, "create", k.entity, *m.ID, nil, r, "")
	})
	return &r, err
}

// updateRef replaces the writable fields of row id with in, if it is
// still at ifVersion (0 = any), bumps its version and audits the change.
func updateRef[R, In any](ctx context.Context, s *Store, k refKind[R, In], a models.Actor, id int64, ifVersion int, in In) (*R, error) {
	if err := k.before(a, &in); err != nil {
		return nil, err
	}
	var r R
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := k.load(tx, a, &r, id, ifVersion); err != nil {
			return err
		}
		res, err := k.resolveIn(tx, a, &in, &r)
		if err != nil {
			return err
		}
		if k.fill != nil {
			if err := k.fill(tx, &r); err != nil {
				return err
			}
		}
		before := r
		k.apply(&r, in, res)
		m := k.row(&r)
		*m.Version++
		*m.UpdatedAt = s.now()
		if err := tx.Save(&r).Error; err != nil {
			return k.saveErr(err, in)
		}
		if k.shown {
			// Any field may be one an event shows: every update counts.
			if err := tx.Model(&r).UpdateColumn("shown_at", *m.UpdatedAt).Error; err != nil {
				return fmt.Errorf("mark %s %d as changed in events: %w", k.entity, *m.ID, err)
			}
		}
		if err := k.after(tx, &r, res); err != nil {
			return err
		}
		return s.audit(tx, a, "update", k.entity, *m.ID, before, r, "")
	})
	return &r, err
}

// deleteRef removes row id, if it is still at ifVersion (0 = any), and
// audits it; a row something still refers to is an *InUseError.
func deleteRef[R, In any](ctx context.Context, s *Store, k refKind[R, In], a models.Actor, id int64, ifVersion int) error {
	if k.may != nil {
		if err := k.may(a); err != nil {
			return err
		}
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var r R
		if err := k.load(tx, a, &r, id, ifVersion); err != nil {
			return err
		}
		if k.refuseDelete != nil {
			if err := k.refuseDelete(tx, &r); err != nil {
				return err
			}
		}
		if k.participant != "" {
			if err := dropFromDeletedActivities(tx, k.participant, id, s.now()); err != nil {
				return err
			}
		}
		if err := tx.Delete(&r).Error; err != nil {
			if k.inUse == nil {
				return err
			}
			entity, by := k.inUse(&r)
			return inUseErr(err, entity, by)
		}
		return s.audit(tx, a, "delete", k.entity, *k.row(&r).ID, r, nil, "")
	})
}

// dropFromDeletedActivities takes a row about to be deleted out of the
// deleted activities that name it as a participant (no live one does:
// refuseIfParticipating), moving their version and updated_at: their
// events, kept in feeds until their retention ends, are rendered again
// without it, instead of a stored rendering showing a name the service
// no longer holds under an unchanged version.
func dropFromDeletedActivities(tx *gorm.DB, typ string, id int64, now time.Time) error {
	named := tx.Table("participants").Select("activity_id").Where("type = ? AND ref_id = ?", typ, id)
	if err := tx.Table("activities").Where("id IN (?)", named).
		UpdateColumns(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
		return fmt.Errorf("move the deleted activities naming %s %d: %w", typ, id, err)
	}
	if err := tx.Where("type = ? AND ref_id = ?", typ, id).Delete(&models.Participant{}).Error; err != nil {
		return fmt.Errorf("take %s %d out of deleted activities: %w", typ, id, err)
	}
	return nil
}

// before runs the checks that precede the transaction.
func (k refKind[R, In]) before(a models.Actor, in *In) error {
	if k.may != nil {
		if err := k.may(a); err != nil {
			return err
		}
	}
	if k.check != nil {
		return k.check(in)
	}
	return nil
}

// load reads row id for a change by a.
func (k refKind[R, In]) load(tx *gorm.DB, a models.Actor, r *R, id int64, ifVersion int) error {
	if err := loadForUpdate(tx, r, id, ifVersion); err != nil {
		return err
	}
	if k.mayChange != nil {
		return k.mayChange(tx, a, r)
	}
	return nil
}

// resolveIn runs resolve when the kind has one.
func (k refKind[R, In]) resolveIn(tx *gorm.DB, a models.Actor, in *In, old *R) (refResolved, error) {
	if k.resolve == nil {
		return refResolved{}, nil
	}
	return k.resolve(tx, a, in, old)
}

// after writes the linked rows and fills the saved row.
func (k refKind[R, In]) after(tx *gorm.DB, r *R, res refResolved) error {
	if k.link != nil {
		if err := k.link(tx, r, res); err != nil {
			return err
		}
	}
	if k.fill != nil {
		return k.fill(tx, r)
	}
	return nil
}

// saveErr reports a duplicate on the kind's unique field.
func (k refKind[R, In]) saveErr(err error, in In) error {
	if k.unique == nil {
		return err
	}
	field, value := k.unique(in)
	return uniqueErr(err, field, value)
}
