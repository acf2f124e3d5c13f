package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// queueProposalNotices writes one outbox row per planner (and contact
// address) of each organisation told, in the transaction of the step. An
// organisation that may not see the activity is told nothing: a
// restricted activity never reaches another organisation's mailbox.
func (s *Store) queueProposalNotices(tx *gorm.DB, row *models.Activity, ev *proposalEvent, orgs []int64) error {
	if len(orgs) == 0 {
		return nil
	}
	var allowed []int64
	if row.Restricted {
		if err := tx.Model(&activityVisibility{}).Where("activity_id = ?", row.ID).Pluck("organization_id", &allowed).Error; err != nil {
			return fmt.Errorf("load the visibility of activity %d: %w", row.ID, err)
		}
	}
	var seeing []int64
	for _, o := range orgs {
		if (models.Viewer{OrganizationID: o}).CanSee(row.Restricted, allowed) {
			seeing = append(seeing, o)
		}
	}
	recips, err := plannersOf(tx, seeing)
	if err != nil {
		return err
	}
	now := s.now()
	rows := make([]models.Reminder, 0, len(recips))
	for _, r := range recips {
		id := ev.ID
		rows = append(rows, models.Reminder{
			Key: fmt.Sprintf("%s:%d:%s", models.NoticeProposal, ev.ID, strings.ToLower(r.Email)), Kind: models.NoticeProposal, ActivityID: &row.ID, EventID: &id,
			OccurrenceStartS: ev.StartAt.Unix(), OccurrenceEndS: ev.EndAt.Unix(),
			RecipientEmail: r.Email, RecipientName: r.Name, RecipientTimeZone: r.TimeZone,
			DueS: now.Unix(), Status: models.OutboxPending, NextAttemptS: now.Unix(), CreatedAt: now, UpdatedAt: now,
		})
	}
	return s.insertNotices(tx, rows)
}

// plannersOf lists who speaks for organisations in a proposal: the people
// holding a planner grant for one of them, and each one's contact
// address; sorted by address.
func plannersOf(tx *gorm.DB, orgs []int64) ([]recipient, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	var people []models.Person
	if err := tx.Where("id IN (SELECT person_id FROM person_grants WHERE role = ? AND organization_id IN ?)", models.RolePlanner, orgs).Find(&people).Error; err != nil {
		return nil, fmt.Errorf("load the planners of organisations %v: %w", orgs, err)
	}
	byEmail := map[string]recipient{}
	for _, p := range people {
		byEmail[strings.ToLower(p.Email)] = recipient{Email: p.Email, Name: p.Name, TimeZone: p.TimeZone}
	}
	var os []models.Organization
	if err := tx.Where("id IN ? AND contact_email <> ''", orgs).Find(&os).Error; err != nil {
		return nil, fmt.Errorf("load the contacts of organisations %v: %w", orgs, err)
	}
	for _, o := range os {
		if _, ok := byEmail[strings.ToLower(o.ContactEmail)]; !ok {
			byEmail[strings.ToLower(o.ContactEmail)] = recipient{Email: o.ContactEmail, Name: o.Name, TimeZone: o.TimeZone}
		}
	}
	out := make([]recipient, 0, len(byEmail))
	for _, r := range byEmail {
		if r.TimeZone == "" {
			r.TimeZone = "UTC"
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// ProposalNotice reads the note of a claimed proposal notice, and whether
// its recipient (a planner or contact of an organisation) may still see
// the activity; a recipient that may not is never told.
func (s *Store) ProposalNotice(ctx context.Context, r models.Reminder) (*models.ProposalNote, bool, error) {
	db := s.db.WithContext(ctx)
	if r.ActivityID == nil || r.EventID == nil {
		return nil, false, models.ErrNotFound
	}
	var ev proposalEvent
	if err := db.First(&ev, *r.EventID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, false, models.ErrNotFound
		}
		return nil, false, fmt.Errorf("load proposal event %d: %w", *r.EventID, err)
	}
	views, err := loadViews(db, []int64{*r.ActivityID})
	if err != nil {
		return nil, false, err
	}
	if len(views) == 0 {
		return nil, false, models.ErrNotFound
	}
	v := &views[0]
	orgs, err := organisationsOf(db, r.RecipientEmail)
	if err != nil {
		return nil, false, err
	}
	visible := false
	for _, o := range orgs {
		visible = visible || (models.Viewer{OrganizationID: o}).CanSee(v.Restricted, v.Allowed)
	}
	note := &models.ProposalNote{Step: ev.Step, Reason: ev.Reason, Title: v.Title, Start: ev.StartAt, End: ev.EndAt, TimeZone: v.TimeZone,
		Lead: v.LeadOrganization, ActivityID: v.ID, At: ev.At}
	if ev.OrganizationID != nil {
		codes, err := codesOf(db, []int64{*ev.OrganizationID})
		if err != nil {
			return nil, false, err
		}
		note.By = codes[0]
	}
	if p, err := s.proposalView(db, v.ID); err == nil {
		note.Awaiting = p.Awaiting
	}
	return note, visible, nil
}

// organisationsOf lists the organisations an address speaks for: those
// whose planner it is, its person's own, and those whose contact it is.
func organisationsOf(db *gorm.DB, email string) ([]int64, error) {
	var ids []int64
	if err := db.Raw(`SELECT g.organization_id FROM person_grants g JOIN people p ON p.id = g.person_id
		WHERE LOWER(p.email) = LOWER(?) AND g.organization_id IS NOT NULL
		UNION SELECT organization_id FROM people WHERE LOWER(email) = LOWER(?) AND organization_id IS NOT NULL
		UNION SELECT id FROM organizations WHERE LOWER(contact_email) = LOWER(?)`, email, email, email).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("load the organisations of %s: %w", email, err)
	}
	return ids, nil
}
