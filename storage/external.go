package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// externalBusy is one busy block of a subscription.
type externalBusy struct {
	ID           int64 `gorm:"primaryKey"`
	CalendarID   int64
	StartS       int64 `gorm:"column:start_s"`
	EndS         int64 `gorm:"column:end_s"`
	ResourceType string
	ResourceID   int64
}

func (externalBusy) TableName() string { return "external_busy" }

// ownerOrganization is the organisation whose planners manage a
// subscription blocking (typ, id); 0 for venues, which any planner may.
func ownerOrganization(tx *gorm.DB, typ string, id int64) int64 {
	var org []int64
	switch typ {
	case "person":
		tx.Table("people").Where("id = ? AND organization_id IS NOT NULL", id).Pluck("organization_id", &org)
	case "body":
		tx.Table("bodies").Where("id = ?", id).Pluck("organization_id", &org)
	case "organization":
		return id
	}
	if len(org) == 0 {
		return 0
	}
	return org[0]
}

func fillExternalCalendar(e *models.ExternalCalendar, names *nameCache, now time.Time) error {
	r, err := names.resource(e.BlocksType, e.BlocksID)
	if err != nil {
		return err
	}
	e.Blocks = models.FeedOwner{Type: e.BlocksType, IDOrCode: models.Ref(r.Code)}
	e.Refresh = isoduration.Format(time.Duration(e.RefreshSeconds) * time.Second)
	e.Stale = e.StaleAt(now)
	return nil
}

// CreateExternalCalendar adds a subscription; it syncs on the next tick.
// Planners may subscribe resources of their own organisation (and
// venues); administrators any.
func (s *Store) CreateExternalCalendar(ctx context.Context, a models.Actor, in models.ExternalCalendarInput) (*models.ExternalCalendar, error) {
	var e models.ExternalCalendar
	err := s.write(ctx, func(tx *gorm.DB) error {
		v := &models.ValidationError{}
		models.CheckText(v, "name", in.Name, true, 200)
		if u, err := url.Parse(in.URL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "webcal") || u.User != nil {
			v.Add("url", "want an absolute http, https or webcal URL without credentials")
		}
		if in.Severity == "" {
			in.Severity = "hard"
		}
		models.CheckEnum(v, "severity", in.Severity, "hard", "soft")
		refresh := 30 * time.Minute
		if in.Refresh != "" {
			d, err := isoduration.Parse(in.Refresh)
			if err != nil || d < 5*time.Minute || d > 7*24*time.Hour {
				v.Add("refresh", "want an ISO 8601 duration from PT5M to P7D")
			} else {
				refresh = d
			}
		}
		var blockID int64
		if ref, ok := nameTables[in.Blocks.Type]; ok {
			blockID = resolveField(tx, v, "blocks.id_or_code", ref[0], ref[1], in.Blocks.IDOrCode)
		} else {
			v.Add("blocks.type", "want person, body, venue or organization")
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		org := ownerOrganization(tx, in.Blocks.Type, blockID)
		if err := a.CanWriteReference(org); err != nil {
			return err
		}
		now := s.now()
		e = models.ExternalCalendar{Name: in.Name, URL: in.URL, BlocksType: in.Blocks.Type, BlocksID: blockID, Severity: in.Severity,
			RefreshSeconds: int64(refresh / time.Second), NextSyncS: now.Unix(), CreatedAt: now, UpdatedAt: now}
		if a.TokenID != 0 {
			tid := a.TokenID
			e.CreatedByTokenID = &tid
		}
		if org == 0 {
			org = a.OrganizationID // a venue: the subscriber's organisation
		}
		if org != 0 {
			e.OrganizationID = &org
		}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("create external calendar: %w", err)
		}
		if err := fillExternalCalendar(&e, newNameCache(tx), now); err != nil {
			return err
		}
		return s.audit(tx, a, "create", "external_calendar", e.ID, nil, e, "")
	})
	return &e, err
}

// ListExternalCalendars lists the subscriptions a may see, with their
// sync state.
func (s *Store) ListExternalCalendars(ctx context.Context, a models.Actor, opts models.ListOptions) (models.Page[models.ExternalCalendar], error) {
	db := s.db.WithContext(ctx)
	page, err := paginate(db.Model(&models.ExternalCalendar{}).Scopes(visibleExternalCalendars(a)), "id", opts, func(e models.ExternalCalendar) int64 { return e.ID })
	if err != nil {
		return page, fmt.Errorf("list external calendars: %w", err)
	}
	names := newNameCache(db)
	for i := range page.Items {
		if err := fillExternalCalendar(&page.Items[i], names, s.now()); err != nil {
			return page, err
		}
	}
	return page, nil
}

// GetExternalCalendar returns one subscription a may see; to anyone else
// it does not exist.
func (s *Store) GetExternalCalendar(ctx context.Context, a models.Actor, id int64) (*models.ExternalCalendar, error) {
	db := s.db.WithContext(ctx)
	e, err := externalCalendarFor(db, a, id)
	if err != nil {
		return nil, err
	}
	return e, fillExternalCalendar(e, newNameCache(db), s.now())
}

// externalCalendarFor loads subscription id if a may see it.
func externalCalendarFor(db *gorm.DB, a models.Actor, id int64) (*models.ExternalCalendar, error) {
	var e models.ExternalCalendar
	if err := db.Scopes(visibleExternalCalendars(a)).First(&e, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load external calendar %d: %w", id, err)
	}
	return &e, nil
}

// DeleteExternalCalendar removes a subscription and its busy blocks.
func (s *Store) DeleteExternalCalendar(ctx context.Context, a models.Actor, id int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		e, err := externalCalendarFor(tx, a, id)
		if err != nil {
			return err
		}
		if err := a.CanWriteReference(derefID(e.OrganizationID)); err != nil {
			return err
		}
		if err := tx.Where("calendar_id = ?", id).Delete(&externalBusy{}).Error; err != nil {
			return fmt.Errorf("delete busy blocks of external calendar %d: %w", id, err)
		}
		if err := tx.Delete(e).Error; err != nil {
			return fmt.Errorf("delete external calendar %d: %w", id, err)
		}
		return s.audit(tx, a, "delete", "external_calendar", id, e, nil, "")
	})
}

// AuthorizeExternalSync says whether a may make a subscription sync now:
// the same people who may delete it.
func (s *Store) AuthorizeExternalSync(ctx context.Context, a models.Actor, id int64) error {
	e, err := externalCalendarFor(s.db.WithContext(ctx), a, id)
	if err != nil {
		return err
	}
	return a.CanWriteReference(derefID(e.OrganizationID))
}

// DueExternalCalendars lists subscriptions whose next sync time has come.
func (s *Store) DueExternalCalendars(ctx context.Context, now time.Time) ([]models.ExternalCalendar, error) {
	var out []models.ExternalCalendar
	err := s.db.WithContext(ctx).Where("next_sync_s <= ?", now.Unix()).Order("next_sync_s, id").Find(&out).Error
	return out, err
}

// ReplaceExternalBusy stores the busy spans of a good sync in place of the
// previous ones, in one transaction.
func (s *Store) ReplaceExternalBusy(ctx context.Context, e *models.ExternalCalendar, spans []planning.Span, etag, lastModified string, events int) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("calendar_id = ?", e.ID).Delete(&externalBusy{}).Error; err != nil {
			return fmt.Errorf("delete external busy: %w", err)
		}
		rows := make([]externalBusy, 0, len(spans))
		for _, sp := range spans {
			rows = append(rows, externalBusy{CalendarID: e.ID, StartS: sp.Start.Unix(), EndS: sp.End.Unix(), ResourceType: e.BlocksType, ResourceID: e.BlocksID})
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 500).Error; err != nil {
				return fmt.Errorf("replace external busy: %w", err)
			}
			var longest int64
			for _, r := range rows {
				longest = max(longest, r.EndS-r.StartS)
			}
			if err := recordLongest(tx, longest); err != nil {
				return err
			}
		}
		return tx.Model(&models.ExternalCalendar{}).Where("id = ?", e.ID).Updates(map[string]any{
			"etag": etag, "last_modified": lastModified, "last_sync": now, "last_success": now, "last_error": "",
			"event_count": events, "next_sync_s": now.Unix() + e.RefreshSeconds, "updated_at": now,
		}).Error
	})
}

// RecordExternalUnchanged notes a sync that found nothing new (304).
func (s *Store) RecordExternalUnchanged(ctx context.Context, e *models.ExternalCalendar) error {
	now := s.now()
	return s.db.WithContext(ctx).Model(&models.ExternalCalendar{}).Where("id = ?", e.ID).Updates(map[string]any{
		"last_sync": now, "last_success": now, "last_error": "", "next_sync_s": now.Unix() + e.RefreshSeconds, "updated_at": now,
	}).Error
}

// RecordExternalFailure notes a failed sync; the busy blocks of the last
// good one stay. The next attempt is after a fifth of the interval (at
// least a minute), so a passing fault heals quickly.
func (s *Store) RecordExternalFailure(ctx context.Context, e *models.ExternalCalendar, cause error) error {
	now := s.now()
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return s.db.WithContext(ctx).Model(&models.ExternalCalendar{}).Where("id = ?", e.ID).Updates(map[string]any{
		"last_sync": now, "last_error": msg, "next_sync_s": now.Unix() + max(60, e.RefreshSeconds/5), "updated_at": now,
	}).Error
}

// loadExternalBusy reads the external busy blocks of the claimed
// resources overlapping [from, to) as planning rows (ActivityID carries the
// subscription id), and the subscriptions those resources depend on.
func loadExternalBusy(tx *gorm.DB, byType map[string][]int64, from, to time.Time) ([]planning.Busy, []models.ExternalCalendar, error) {
	var types []string
	var ids []int64
	for typ, list := range byType {
		types = append(types, typ)
		ids = append(ids, list...)
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	// One query finds the subscriptions of any claimed resource (a
	// superset, narrowed below); most checks stop here with none.
	var candidates []models.ExternalCalendar
	if err := tx.Where("blocks_type IN ? AND blocks_id IN ?", types, ids).Find(&candidates).Error; err != nil {
		return nil, nil, fmt.Errorf("read candidates: %w", err)
	}
	var busy []planning.Busy
	var cals []models.ExternalCalendar
	severity := map[int64]planning.Severity{}
	for _, c := range candidates {
		for _, id := range byType[c.BlocksType] {
			if id == c.BlocksID {
				cals = append(cals, c)
				severity[c.ID] = planning.Severity(c.Severity)
			}
		}
	}
	if len(cals) == 0 {
		return nil, nil, nil
	}
	calIDs := make([]int64, len(cals))
	for i, c := range cals {
		calIDs[i] = c.ID
	}
	var rows []externalBusy
	if err := tx.Where("calendar_id IN ? AND start_s < ? AND end_s > ?", calIDs, to.Unix(), from.Unix()).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("load external busy: %w", err)
	}
	for _, r := range rows {
		busy = append(busy, planning.Busy{ActivityID: r.CalendarID, Start: time.Unix(r.StartS, 0).UTC(), End: time.Unix(r.EndS, 0).UTC(),
			Resource: planning.ResourceRef{Type: planning.ResourceType(r.ResourceType), ID: r.ResourceID}, Required: true, External: true, Severity: severity[r.CalendarID]})
	}
	return busy, cals, nil
}

// staleWarnings says, for every subscription a check relied on whose last
// good sync is too old, that its busy data may be out of date.
func staleWarnings(names *nameCache, cals []models.ExternalCalendar, now time.Time) ([]models.ConflictView, error) {
	var out []models.ConflictView
	for _, c := range cals {
		if !c.StaleAt(now) {
			continue
		}
		res, err := names.resource(c.BlocksType, c.BlocksID)
		if err != nil {
			return nil, err
		}
		last := "never synced"
		if c.LastSuccess != nil {
			last = "last good sync " + c.LastSuccess.UTC().Format(time.RFC3339)
		}
		out = append(out, models.ConflictView{Rule: "external_stale", Severity: "soft", Resource: res,
			Other: models.OtherView{ExternalCalendarID: c.ID, Title: fmt.Sprintf("%s: busy data may be out of date (%s)", c.Name, last)}})
	}
	return out, nil
}
