package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jointcal/jointcal/models"
)

// PlanDigests writes the weekly digest notice of every person for whom it
// is now Monday, DigestHour o'clock or later that morning, in their home
// time zone, once per ISO week (the key holds the week). People who opted
// out of reminders, or of the digest, get none.
func (s *Store) PlanDigests(ctx context.Context, now time.Time) (int, error) {
	db := s.db.WithContext(ctx)
	var people []models.Person
	if err := db.Order("id").Find(&people).Error; err != nil {
		return 0, fmt.Errorf("read people: %w", err)
	}
	var rows []models.Reminder
	for _, p := range people {
		if p.ReminderPreferences.OptOut || p.ReminderPreferences.NoDigest {
			continue
		}
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			continue
		}
		local := now.In(loc)
		if local.Weekday() != time.Monday || local.Hour() < models.DigestHour || local.Hour() >= 12 {
			continue
		}
		weekStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		year, week := local.ISOWeek()
		rows = append(rows, models.Reminder{
			Key: fmt.Sprintf("digest:%s:%04d-W%02d", p.Email, year, week), Kind: models.NoticeDigest,
			OccurrenceStartS: weekStart.Unix(), OccurrenceEndS: weekStart.AddDate(0, 0, 7).Unix(),
			RecipientEmail: p.Email, RecipientName: p.Name, RecipientTimeZone: p.TimeZone,
			DueS: now.Unix(), Status: models.OutboxPending, NextAttemptS: now.Unix(), CreatedAt: now, UpdatedAt: now,
		})
	}
	return len(rows), s.insertNotices(db, rows)
}

// Agenda lists the occurrences in [from, to) of activities a person takes
// part in (directly or through a body they belong to) and may see, in
// time order: the body of the weekly digest.
func (s *Store) Agenda(ctx context.Context, email string, from, to time.Time) ([]models.AgendaItem, error) {
	db := s.db.WithContext(ctx)
	var p models.Person
	if err := db.Where("email = ?", email).First(&p).Error; err != nil {
		return nil, models.ErrNotFound
	}
	var rows []struct {
		ActivityID   int64
		StartS, EndS int64
	}
	if err := db.Table("occurrences").Select("occurrences.activity_id, occurrences.start_s, occurrences.end_s").
		Joins("JOIN activities ON activities.id = occurrences.activity_id").
		Where("occurrences.start_s < ? AND occurrences.end_s > ? AND activities.deleted_at IS NULL AND activities.status <> 'cancelled'", to.Unix(), from.Unix()).
		Where(involvingPerson, p.ID, p.ID).
		Order("occurrences.start_s").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read occurrences: %w", err)
	}
	ids := distinctIDs(len(rows), func(i int) int64 { return rows[i].ActivityID })
	views, err := loadViews(db, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*models.ActivityView{}
	viewer := models.Viewer{OrganizationID: derefID(p.OrganizationID)}
	for i := range views {
		if viewer.CanSee(views[i].Restricted, views[i].Allowed) {
			byID[views[i].ID] = &views[i]
		}
	}
	var out []models.AgendaItem
	for _, r := range rows {
		if v, ok := byID[r.ActivityID]; ok {
			out = append(out, models.AgendaItem{Activity: *v, Start: time.Unix(r.StartS, 0).UTC(), End: time.Unix(r.EndS, 0).UTC()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}
