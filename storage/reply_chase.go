package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/models"
	"gorm.io/gorm"
)

// declineKey is the outbox key of a decline notice: one per person,
// activity, occurrence (0 for the whole activity) and planner, so that a
// person who declines, accepts and declines again is reported once.
func declineKey(activityID, recurrence, personID int64, email string) string {
	return fmt.Sprintf("%s:%d:%d:%d:%s", models.NoticeDeclined, activityID, recurrence, personID, strings.ToLower(email))
}

// declineRecurrence reads the occurrence back from a decline key.
func declineRecurrence(key string) (int64, error) {
	parts := strings.SplitN(key, ":", 5)
	if len(parts) != 5 || parts[0] != models.NoticeDeclined {
		return 0, fmt.Errorf("decline notice key %q is malformed", key)
	}
	return strconv.ParseInt(parts[2], 10, 64)
}

// chaseKey is the outbox key of a chase: one per occurrence and planner.
func chaseKey(activityID, startS int64, email string) string {
	return fmt.Sprintf("%s:%d:%d:%s", models.NoticeChase, activityID, startS, strings.ToLower(email))
}

// leadPlanners are the planners (and contact address) of an activity's
// lead organisation — when that organisation may see it, which a
// restricted activity always allows its lead, but a restricted activity
// is never mailed to an organisation on trust.
func leadPlanners(tx *gorm.DB, v *models.ActivityView) ([]recipient, error) {
	var leads []int64
	if err := tx.Table("activities").Where("id = ?", v.ID).Pluck("lead_organization_id", &leads).Error; err != nil {
		return nil, fmt.Errorf("load the lead organisation of activity %d: %w", v.ID, err)
	}
	if len(leads) == 0 || !(models.Viewer{OrganizationID: leads[0]}).CanSee(v.Restricted, v.Allowed) {
		return nil, nil
	}
	return plannersOf(tx, leads)
}

// queueDeclineNotice queues, in the transaction of the answer, the notice
// of a required participant's decline to the lead planners. Nothing is
// queued for an optional participant, for an occurrence already started,
// or for an activity with nothing ahead.
func (s *Store) queueDeclineNotice(tx *gorm.DB, act *models.ActivityView, me recipient, row replyRow) error {
	if models.RSVP(row.PartStat) != models.RSVPDeclined || !me.required {
		return nil
	}
	now := s.now()
	var span occSpan
	if row.OccurrenceStartS != 0 {
		var rows []occSpan
		if err := tx.Table("occurrences").Select("start_s, end_s").Where("activity_id = ? AND recurrence_id = ?", act.ID, row.OccurrenceStartS).
			Scan(&rows).Error; err != nil {
			return fmt.Errorf("load the declined occurrence: %w", err)
		}
		if len(rows) == 0 || rows[0].StartS <= now.Unix() {
			return nil
		}
		span = rows[0]
	} else {
		next, ok := s.nextOccurrence(tx, act.ID, now)
		if !ok {
			return nil
		}
		span = next
	}
	planners, err := leadPlanners(tx, act)
	if err != nil {
		return err
	}
	person := row.PersonID
	rows := make([]models.Reminder, 0, len(planners))
	for _, p := range planners {
		if strings.EqualFold(p.Email, me.Email) {
			continue // the planner who declined knows it
		}
		rows = append(rows, models.Reminder{Key: declineKey(act.ID, row.OccurrenceStartS, person, p.Email), Kind: models.NoticeDeclined, ActivityID: &act.ID,
			EventID: &person, OccurrenceStartS: span.StartS, OccurrenceEndS: span.EndS, RecipientEmail: p.Email, RecipientName: p.Name,
			RecipientTimeZone: p.TimeZone, Sequence: act.Sequence, DueS: now.Unix(), Status: models.OutboxPending, NextAttemptS: now.Unix(),
			CreatedAt: now, UpdatedAt: now})
	}
	return s.insertNotices(tx, rows)
}

// pendingOccurrence is what the required participants of one occurrence
// owe an answer: who declined it, who has not answered.
type pendingOccurrence struct {
	occ               occurrenceRow
	declined, noReply []recipient
}

// requiredPending sorts the required participants (people: only a
// person answers) of each occurrence by their answer: an answer for the
// occurrence wins over the one for the whole activity.
func requiredPending(db *gorm.DB, v *models.ActivityView, occs []occurrenceRow) ([]pendingOccurrence, error) {
	recips, err := recipientsOf(db, v)
	if err != nil {
		return nil, err
	}
	var required []recipient
	for _, r := range recips {
		if r.required && r.personID != 0 {
			required = append(required, r)
		}
	}
	if len(required) == 0 {
		return nil, nil
	}
	as, err := loadAnswers(db, v.ID)
	if err != nil {
		return nil, err
	}
	return sortPending(required, as, occs), nil
}

// sortPending sorts required (the required people) by their answer to
// each occurrence of occs, given the activity's answers as: the one for
// the occurrence, else the one for the whole activity. The single chase
// and the agenda's recipient book both answer through it.
func sortPending(required []recipient, as answers, occs []occurrenceRow) []pendingOccurrence {
	sort.Slice(required, func(i, j int) bool { return required[i].Name < required[j].Name })
	out := make([]pendingOccurrence, 0, len(occs))
	for _, o := range occs {
		p := pendingOccurrence{occ: o}
		for _, r := range required {
			state, ok := as[r.personID][o.RecurrenceID]
			if !ok {
				state = as[r.personID][0]
			}
			switch models.RSVP(state) {
			case models.RSVPDeclined:
				p.declined = append(p.declined, r)
			case models.RSVPAccepted, models.RSVPTentative:
			default:
				p.noReply = append(p.noReply, r)
			}
		}
		out = append(out, p)
	}
	return out
}

// ReplyChase is how long before an occurrence the lead planners hear of
// the required participants who have not answered (0: never).
func (s *Store) ReplyChase() time.Duration { return s.reminders.Chase }

// PlanReplyChases queues, for every occurrence starting within the chase
// period, one notice per lead planner listing the required participants
// who have not answered. Keys are unique per occurrence and planner, so
// the job may run any number of times, in any number of processes.
func (s *Store) PlanReplyChases(ctx context.Context) (int, error) {
	within := s.reminders.Chase
	if within <= 0 {
		return 0, nil
	}
	now := s.now()
	queued := 0
	err := s.write(ctx, func(tx *gorm.DB) error {
		var occs []occurrenceRow
		if err := tx.Table("occurrences").Select("occurrences.activity_id, occurrences.recurrence_id, occurrences.start_s, occurrences.end_s").
			Joins("JOIN activities ON activities.id = occurrences.activity_id").
			Where("occurrences.start_s > ? AND occurrences.start_s <= ?", now.Unix(), now.Add(within).Unix()).
			Where("activities.deleted_at IS NULL AND activities.status NOT IN ?", []string{string(models.StatusCancelled), string(models.StatusProposed)}).
			Where("EXISTS (SELECT 1 FROM participants pp WHERE pp.activity_id = activities.id AND pp.required = ?)", true).
			Where("NOT EXISTS (SELECT 1 FROM reminders r WHERE r.activity_id = occurrences.activity_id AND r.kind = ? AND r.occurrence_start_s = occurrences.start_s)", models.NoticeChase).
			Order("occurrences.activity_id, occurrences.start_s").Scan(&occs).Error; err != nil {
			return fmt.Errorf("find the occurrences to chase: %w", err)
		}
		byActivity := map[int64][]occurrenceRow{}
		var ids []int64
		for _, o := range occs {
			if byActivity[o.ActivityID] == nil {
				ids = append(ids, o.ActivityID)
			}
			byActivity[o.ActivityID] = append(byActivity[o.ActivityID], o)
		}
		views, err := loadViews(tx, ids)
		if err != nil {
			return fmt.Errorf("load the activities to chase: %w", err)
		}
		var rows []models.Reminder
		for i := range views {
			v := &views[i]
			pending, err := requiredPending(tx, v, byActivity[v.ID])
			if err != nil {
				return err
			}
			var planners []recipient
			for _, p := range pending {
				if len(p.noReply) == 0 {
					continue
				}
				if planners == nil {
					if planners, err = leadPlanners(tx, v); err != nil {
						return err
					}
				}
				for _, pl := range planners {
					rows = append(rows, models.Reminder{Key: chaseKey(v.ID, p.occ.StartS, pl.Email), Kind: models.NoticeChase, ActivityID: &v.ID,
						OccurrenceStartS: p.occ.StartS, OccurrenceEndS: p.occ.EndS, RecipientEmail: pl.Email, RecipientName: pl.Name,
						RecipientTimeZone: pl.TimeZone, Sequence: v.Sequence, DueS: now.Unix(), Status: models.OutboxPending, NextAttemptS: now.Unix(),
						CreatedAt: now, UpdatedAt: now})
				}
			}
		}
		queued = len(rows)
		return s.insertNotices(tx, rows)
	})
	return queued, err
}

// ReplyNotice reads the note of a claimed decline or chase notice, and
// whether it still applies: the recipient still speaks for an
// organisation that may see the activity, the activity goes ahead, and
// the decline stands or someone still has not answered. A notice that no
// longer applies is dropped, never sent.
func (s *Store) ReplyNotice(ctx context.Context, r models.Reminder) (*models.ReplyNote, bool, error) {
	db := s.db.WithContext(ctx)
	if r.ActivityID == nil {
		return nil, false, models.ErrNotFound
	}
	views, err := loadViews(db, []int64{*r.ActivityID})
	if err != nil {
		return nil, false, fmt.Errorf("load activity %d: %w", *r.ActivityID, err)
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
	if !visible || v.DeletedAt != nil || models.Status(v.Status) == models.StatusCancelled {
		return nil, false, nil
	}
	loc := v.Start.Location()
	note := &models.ReplyNote{Kind: r.Kind, ActivityID: v.ID, Title: v.Title, TimeZone: v.TimeZone, Lead: v.LeadOrganization, Recurring: v.RRule != "" || len(v.RDates) > 0,
		Start: time.Unix(r.OccurrenceStartS, 0).In(loc), End: time.Unix(r.OccurrenceEndS, 0).In(loc), Language: "en"}
	var langs []string
	if err := db.Table("people").Where("LOWER(email) = LOWER(?)", r.RecipientEmail).Limit(1).Pluck("language", &langs).Error; err != nil {
		return nil, false, fmt.Errorf("load the language of %s: %w", r.RecipientEmail, err)
	}
	if len(langs) == 1 && langs[0] != "" {
		note.Language = langs[0]
	}
	switch r.Kind {
	case models.NoticeDeclined:
		if r.EventID == nil {
			return nil, false, models.ErrNotFound
		}
		rec, err := declineRecurrence(r.Key)
		if err != nil {
			return nil, false, err
		}
		var p models.Person
		if err := db.First(&p, *r.EventID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, false, nil
			}
			return nil, false, fmt.Errorf("load person %d: %w", *r.EventID, err)
		}
		var answers []replyRow
		if err := db.Where("activity_id = ? AND person_id = ? AND occurrence_start_s = ?", v.ID, p.ID, rec).Find(&answers).Error; err != nil {
			return nil, false, fmt.Errorf("load the answer of person %d: %w", p.ID, err)
		}
		if len(answers) == 0 || models.RSVP(answers[0].PartStat) != models.RSVPDeclined {
			return note, false, nil // taken back before the notice left
		}
		note.People, note.Comment, note.WholeActivity = []string{p.Name}, answers[0].Comment, rec == 0
		return note, true, nil
	case models.NoticeChase:
		var occs []occurrenceRow
		if err := db.Where("activity_id = ? AND start_s = ?", v.ID, r.OccurrenceStartS).Find(&occs).Error; err != nil {
			return nil, false, fmt.Errorf("load the occurrence chased: %w", err)
		}
		if len(occs) == 0 {
			return note, false, nil // moved or removed since
		}
		pending, err := requiredPending(db, v, occs)
		if err != nil {
			return nil, false, err
		}
		if len(pending) == 0 || len(pending[0].noReply) == 0 {
			return note, false, nil // everyone answered meanwhile
		}
		for _, who := range pending[0].noReply {
			note.People = append(note.People, who.Name)
		}
		return note, true, nil
	}
	return nil, false, fmt.Errorf("notice %d: kind %q is not a reply notice", r.ID, r.Kind)
}

// replyAgenda lists, for the deconfliction agenda, the occurrences in
// [from, to) of the activities the actor plans (administrators: all)
// whose required participants declined, and those starting within the
// chase period that some of them have not answered. Reply states are for
// the activity's planners, as the reply table is: others see none of it.
// pending sorts the required participants of an activity's occurrences
// by their answers (requiredPending, or the same from a window's reads).
func (s *Store) replyAgenda(db *gorm.DB, a models.Actor, views []models.ActivityView, from, to time.Time,
	pending func(*models.ActivityView, []occurrenceRow) ([]pendingOccurrence, error)) ([]models.ListedConflict, error) {
	if !a.MayBook() {
		return nil, nil
	}
	byID := map[int64]*models.ActivityView{}
	var ids []int64
	for i := range views {
		v := &views[i]
		if !replyCandidate(v) {
			continue
		}
		byID[v.ID] = v
		ids = append(ids, v.ID)
	}
	mine, err := s.writableOf(db, a, ids)
	if err != nil {
		return nil, err
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i] < mine[j] })
	now := s.now()
	chaseUntil := now.Add(s.reminders.Chase)
	var out []models.ListedConflict
	for len(mine) > 0 {
		chunk := mine[:min(len(mine), viewChunk)]
		mine = mine[len(chunk):]
		var occs []occurrenceRow
		if err := db.Where("activity_id IN ? AND start_s < ? AND end_s > ?", chunk, to.Unix(), from.Unix()).Order("activity_id, start_s, recurrence_id").Find(&occs).Error; err != nil {
			return nil, fmt.Errorf("load occurrences: %w", err)
		}
		byActivity := map[int64][]occurrenceRow{}
		for _, o := range occs {
			byActivity[o.ActivityID] = append(byActivity[o.ActivityID], o)
		}
		for _, id := range chunk {
			if len(byActivity[id]) == 0 {
				continue
			}
			v := byID[id]
			sorted, err := pending(v, byActivity[id])
			if err != nil {
				return nil, err
			}
			loc := v.Start.Location()
			for _, p := range sorted {
				span := models.SpanView{Start: time.Unix(p.occ.StartS, 0).In(loc), End: time.Unix(p.occ.EndS, 0).In(loc)}
				item := func(rule string, who []recipient) models.ListedConflict {
					rs := make([]models.ResourceView, len(who))
					for i, r := range who {
						rs[i] = models.ResourceView{Type: string(models.ResourcePerson), ID: r.personID, Name: r.Name}
					}
					return models.ListedConflict{Activity: models.ActivityRef{ID: v.ID, Title: v.Title}, Resources: rs,
						ConflictView: models.ConflictView{Rule: rule, Severity: "soft", Resource: rs[0], Occurrence: span, Overlap: span}}
				}
				if len(p.declined) > 0 {
					out = append(out, item(models.RuleRequiredDeclined, p.declined))
				}
				start := time.Unix(p.occ.StartS, 0)
				if len(p.noReply) > 0 && s.reminders.Chase > 0 && start.After(now) && !start.After(chaseUntil) {
					out = append(out, item(models.RuleRequiredNoReply, p.noReply))
				}
			}
		}
	}
	return out, nil
}

// hasRequired tells whether an activity has a required participant that
// answers (a person, a body, an organisation's contact).
func hasRequired(v *models.ActivityView) bool {
	for _, p := range v.Participants {
		if p.Required && (p.Type == string(models.ResourcePerson) || p.Type == "body" || p.Type == "organization") {
			return true
		}
	}
	return false
}
