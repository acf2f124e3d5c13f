package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// recipient is one address a notice goes to, with the eyes it sees with.
// personID is the person behind the address (0 for an organisation's
// contact address that is nobody's own); only a person can reply.
type recipient struct {
	Email, Name, TimeZone string
	viewer                models.Viewer
	prefs                 models.ReminderPreferences
	person                bool
	personID              int64
	language              string
	// required: reached through at least one required participation.
	required bool
}

// recipientsOf lists who hears about an activity: participating people,
// the members of participating bodies and the contact address of
// participating organisations — each only if they may see it. Four
// queries whatever the size of the committees.
func recipientsOf(db *gorm.DB, v *models.ActivityView) ([]recipient, error) {
	required := map[string]bool{}
	for _, p := range v.Participants {
		required[p.Type+":"+strconv.FormatInt(p.ID, 10)] = p.Required
	}
	people, bodies, orgs := v.ParticipantIDs()
	byEmail := map[string]recipient{}
	personReq := map[int64]bool{}
	for _, id := range people {
		personReq[id] = required["person:"+strconv.FormatInt(id, 10)]
	}
	if len(bodies) > 0 {
		var members []struct{ BodyID, PersonID int64 }
		if err := db.Table("body_members").Select("body_id, person_id").Where("body_id IN ?", bodies).Scan(&members).Error; err != nil {
			return nil, fmt.Errorf("load body members: %w", err)
		}
		for _, m := range members {
			personReq[m.PersonID] = personReq[m.PersonID] || required["body:"+strconv.FormatInt(m.BodyID, 10)]
		}
	}
	ids := make([]int64, 0, len(personReq))
	for id := range personReq {
		ids = append(ids, id)
	}
	var persons []models.Person
	for len(ids) > 0 {
		n := min(len(ids), viewChunk)
		var chunk []models.Person
		if err := db.Where("id IN ?", ids[:n]).Find(&chunk).Error; err != nil {
			return nil, fmt.Errorf("load participating people: %w", err)
		}
		persons = append(persons, chunk...)
		ids = ids[n:]
	}
	add := func(p models.Person, req bool) {
		byEmail[strings.ToLower(p.Email)] = recipient{Email: p.Email, Name: p.Name, TimeZone: p.TimeZone,
			viewer: models.Viewer{OrganizationID: derefID(p.OrganizationID)}, prefs: p.ReminderPreferences, person: true,
			personID: p.ID, language: p.Language, required: req}
	}
	for _, p := range persons {
		add(p, personReq[p.ID])
	}
	if len(orgs) > 0 {
		var os []models.Organization
		if err := db.Where("id IN ? AND contact_email <> ''", orgs).Find(&os).Error; err != nil {
			return nil, fmt.Errorf("recipients of: %w", err)
		}
		var contacts []string
		for _, o := range os {
			if _, ok := byEmail[strings.ToLower(o.ContactEmail)]; !ok {
				byEmail[strings.ToLower(o.ContactEmail)] = recipient{Email: o.ContactEmail, Name: o.Name, TimeZone: v.TimeZone, viewer: models.Viewer{OrganizationID: o.ID},
					required: required["organization:"+strconv.FormatInt(o.ID, 10)]}
				contacts = append(contacts, strings.ToLower(o.ContactEmail))
			}
		}
		// A contact address that is a person's own is that person: they
		// answer for their organisation and see with its eyes.
		if len(contacts) > 0 {
			var owners []models.Person
			if err := db.Where("LOWER(email) IN ?", contacts).Find(&owners).Error; err != nil {
				return nil, fmt.Errorf("load the people behind contact addresses: %w", err)
			}
			for _, p := range owners {
				r := byEmail[strings.ToLower(p.Email)]
				r.personID, r.person, r.language, r.prefs, r.Name, r.TimeZone = p.ID, true, p.Language, p.ReminderPreferences, p.Name, p.TimeZone
				byEmail[strings.ToLower(p.Email)] = r
			}
		}
	}
	out := make([]recipient, 0, len(byEmail))
	for _, r := range byEmail {
		if r.TimeZone == "" {
			r.TimeZone = "UTC"
		}
		if r.viewer.CanSee(v.Restricted, v.Allowed) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// offsetsFor says when before the start a recipient is reminded.
func (s *Store) offsetsFor(v *models.ActivityView, r recipient) []time.Duration {
	if r.prefs.OptOut {
		return nil
	}
	parse := func(list []string) []time.Duration {
		var out []time.Duration
		for _, x := range list {
			if d, err := isoduration.Parse(x); err == nil && d > 0 {
				out = append(out, d)
			}
		}
		return out
	}
	if len(v.Reminders) > 0 {
		return parse(v.Reminders)
	}
	if len(r.prefs.Offsets) > 0 {
		return parse(r.prefs.Offsets)
	}
	return s.reminders.KindDefaults[v.Kind]
}

func reminderKey(kind string, activity, occStart int64, email string, detail int64) string {
	return fmt.Sprintf("%s:%d:%d:%s:%d", kind, activity, occStart, strings.ToLower(email), detail)
}

// PlanReminders writes the outbox rows of reminders falling due in
// [from, to) for occurrences that have not started by now. Keys are
// unique, so planning the same span twice (two instances, a restart) adds
// nothing; a span missed while the service was down is caught up as long
// as its occurrences lie ahead.
func (s *Store) PlanReminders(ctx context.Context, from, to time.Time) (int, error) {
	db := s.db.WithContext(ctx)
	offsets, err := s.offsetsInUse(db)
	if err != nil {
		return 0, err
	}
	now := s.now()
	type occ struct {
		ActivityID   int64
		StartS, EndS int64
	}
	candidates := map[int64][]occ{}
	for _, d := range offsets {
		lo, hi := from.Add(d).Unix(), to.Add(d).Unix()
		if lo < now.Unix() {
			lo = now.Unix() // never for an occurrence that has started
		}
		if hi <= lo {
			continue
		}
		var rows []occ
		if err := db.Table("occurrences").Select("occurrences.activity_id, occurrences.start_s, occurrences.end_s").
			Joins("JOIN activities ON activities.id = occurrences.activity_id").
			Where("occurrences.start_s >= ? AND occurrences.start_s < ? AND activities.deleted_at IS NULL AND activities.status NOT IN ?", lo, hi, []string{string(models.StatusCancelled), string(models.StatusProposed)}).
			Scan(&rows).Error; err != nil {
			return 0, fmt.Errorf("read occurrences: %w", err)
		}
		for _, r := range rows {
			candidates[r.ActivityID] = append(candidates[r.ActivityID], r)
		}
	}
	ids := make([]int64, 0, len(candidates))
	for id := range candidates {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	views, err := loadViews(db, ids)
	if err != nil {
		return 0, err
	}
	total := 0
	for i := range views {
		spans := make([]occSpan, 0, len(candidates[views[i].ID]))
		for _, o := range candidates[views[i].ID] {
			spans = append(spans, occSpan{o.StartS, o.EndS})
		}
		n, err := s.planFor(db, &views[i], spans, from, to)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// planFor writes the reminders of one activity's occurrences that fall due
// in [from, to), for occurrences that have not started.
func (s *Store) planFor(db *gorm.DB, v *models.ActivityView, occs []occSpan, from, to time.Time) (int, error) {
	recips, err := recipientsOf(db, v)
	if err != nil {
		return 0, err
	}
	now := s.now().Unix()
	var rows []models.Reminder
	seen := map[int64]bool{}
	for _, o := range occs {
		if seen[o.StartS] || o.StartS <= now {
			continue
		}
		seen[o.StartS] = true
		for _, r := range recips {
			for _, d := range s.offsetsFor(v, r) {
				due := o.StartS - int64(d/time.Second)
				if due >= from.Unix() && due < to.Unix() {
					rows = append(rows, s.newNotice(models.NoticeReminder, v, o.StartS, o.EndS, r, int64(d/time.Second), due))
				}
			}
		}
	}
	return len(rows), s.insertNotices(db, rows)
}

func (s *Store) newNotice(kind string, v *models.ActivityView, startS, endS int64, r recipient, detail, due int64) models.Reminder {
	now := s.now()
	off := int64(0)
	if kind == models.NoticeReminder {
		off = detail
	}
	return models.Reminder{
		Key: reminderKey(kind, v.ID, startS, r.Email, detail), Kind: kind, ActivityID: &v.ID,
		OccurrenceStartS: startS, OccurrenceEndS: endS, OffsetSeconds: off,
		RecipientEmail: r.Email, RecipientName: r.Name, RecipientTimeZone: r.TimeZone, Sequence: v.Sequence,
		DueS: due, Status: models.OutboxPending, NextAttemptS: due, CreatedAt: now, UpdatedAt: now,
	}
}

// noticeColumns are written by insertNotices, in this order.
const noticeColumns = "key, kind, activity_id, occurrence_start_s, occurrence_end_s, offset_seconds, recipient_email, recipient_name, recipient_timezone, " +
	"sequence, due_s, status, attempts, next_attempt_s, last_error, message_id, created_at, updated_at, event_id"

// insertNotices writes outbox rows, skipping keys already there. It is
// plain multi-row INSERTs rather than the ORM's batches:
// a booking for a committee of 500 queues 500 invitations in its
// transaction, and the ORM's reflection was most of that booking's time.
func (s *Store) insertNotices(db *gorm.DB, rows []models.Reminder) error {
	// 50 rows a statement: the SQLite driver binds each parameter by a
	// search through all of them, so a statement's cost grows with the
	// square of its parameters, and equal batches reuse one prepared
	// statement.
	const perRow, perStatement = 19, 50
	for len(rows) > 0 {
		n := min(len(rows), perStatement)
		var sb strings.Builder
		sb.Grow(100 + n*(2*perRow+3))
		sb.WriteString("INSERT INTO reminders (" + noticeColumns + ") VALUES ")
		args := make([]any, 0, n*perRow)
		for i, r := range rows[:n] {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, r.Key, r.Kind, r.ActivityID, r.OccurrenceStartS, r.OccurrenceEndS, r.OffsetSeconds, r.RecipientEmail, r.RecipientName,
				r.RecipientTimeZone, r.Sequence, r.DueS, r.Status, r.Attempts, r.NextAttemptS, r.LastError, r.MessageID, r.CreatedAt, r.UpdatedAt, r.EventID)
		}
		sb.WriteString(" ON CONFLICT (key) DO NOTHING")
		if err := db.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("queue %d notices: %w", n, err)
		}
		rows = rows[n:]
	}
	return nil
}

// offsetsInUse lists every reminder offset any activity, person or kind
// default may ask for, so planning runs one range query per offset.
func (s *Store) offsetsInUse(db *gorm.DB) ([]time.Duration, error) {
	set := map[time.Duration]bool{}
	for _, ds := range s.reminders.KindDefaults {
		for _, d := range ds {
			set[d] = true
		}
	}
	var lists []string
	if err := db.Table("activities").Distinct("reminders").Where("reminders <> '[]' AND deleted_at IS NULL").Pluck("reminders", &lists).Error; err != nil {
		return nil, fmt.Errorf("read activities: %w", err)
	}
	var prefs []string
	if err := db.Table("people").Distinct("reminder_preferences").Where("reminder_preferences <> '{}'").Pluck("reminder_preferences", &prefs).Error; err != nil {
		return nil, fmt.Errorf("read people: %w", err)
	}
	for _, p := range prefs {
		var rp models.ReminderPreferences
		if json.Unmarshal([]byte(p), &rp) == nil {
			b, _ := json.Marshal(rp.Offsets)
			lists = append(lists, string(b))
		}
	}
	for _, l := range lists {
		var xs []string
		if json.Unmarshal([]byte(l), &xs) != nil {
			continue
		}
		for _, x := range xs {
			if d, err := isoduration.Parse(x); err == nil && d > 0 {
				set[d] = true
			}
		}
	}
	out := make([]time.Duration, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// noticeChange queues what an activity change means for the outbox, in
// the transaction of the change: pending reminders of occurrences that no
// longer exist go (the dispatcher plans those of the new times as they
// fall due); a cancellation or deletion sends one cancellation notice per
// recipient; everyone the activity newly reaches (a new booking, an added
// participant or body member) gets an invitation, unless they turned
// invitations off or invite is false (imports and demo data, whose
// people were invited by the calendar they came from); a significant change
// (time, place, status, title) sends one update notice to those who were
// already invited; and whoever it no longer reaches gets a cancellation of
// their own (a removal). Keys hold the activity's version or SEQUENCE, so a
// retried or repeated transaction adds nothing, and a person removed and
// added again is invited again. It returns the activity's view as written
// when it read one (to find whom to invite), nil otherwise. named are
// resources the change named whose codes and names were already read (a
// booking's draft), which that view then takes instead of reading them.
func (s *Store) noticeChange(tx *gorm.DB, before, after *models.ActivityView, invite bool, named []models.ResourceView) (*models.ActivityView, error) {
	rows, read, err := s.noticeRows(tx, before, after, invite, writtenState{named: named})
	if err != nil {
		return nil, err
	}
	return read, s.insertNotices(tx, rows)
}

// writtenState is what a write already knows of the activity it wrote,
// so that its notices need not read it back.
type writtenState struct {
	// view is the activity's view as written (a set write reads its
	// members' views in one go, a new activity's is built from its
	// draft); nil: read with the names in named.
	view  *models.ActivityView
	named []models.ResourceView
	// occurrences are the occurrences written, when fresh (a new
	// activity): its first one ahead is found among them.
	occurrences []planning.Occurrence
	fresh       bool
}

// noticeRows does what noticeChange says but returns the notices instead
// of queueing them, with what the write knows of the activity (known).
// The view it used is returned with the notices.
func (s *Store) noticeRows(tx *gorm.DB, before, after *models.ActivityView, invite bool, known writtenState) ([]models.Reminder, *models.ActivityView, error) {
	cancelled := after == nil || models.Status(after.Status) == models.StatusCancelled || after.DeletedAt != nil
	now := s.now()
	if before != nil {
		if cancelled {
			if err := tx.Where("activity_id = ? AND status = ? AND kind = ?", before.ID, models.OutboxPending, models.NoticeReminder).Delete(&models.Reminder{}).Error; err != nil {
				return nil, nil, fmt.Errorf("delete reminder: %w", err)
			}
		} else if err := tx.Where("activity_id = ? AND status = ? AND kind = ? AND occurrence_start_s NOT IN (SELECT start_s FROM occurrences WHERE activity_id = ?)",
			before.ID, models.OutboxPending, models.NoticeReminder, before.ID).Delete(&models.Reminder{}).Error; err != nil {
			return nil, nil, err
		}
	}
	wasProposed := before != nil && models.Status(before.Status) == models.StatusProposed
	if wasProposed && (cancelled || models.Status(after.Status) == models.StatusProposed) {
		// Nobody was invited to a proposal: the parties hear of its steps
		// through the proposal notices (proposal_notice.go).
		return nil, nil, nil
	}
	if !cancelled && models.Status(after.Status) == models.StatusProposed {
		return nil, nil, nil // invitations go out when every side has agreed
	}
	if cancelled {
		if before == nil || models.Status(before.Status) == models.StatusCancelled {
			return nil, nil, nil // never announced, or already cancelled: nothing new to say
		}
		subject := after
		if subject == nil {
			subject = before
		}
		next, ok := s.nextOccurrence(tx, subject.ID, now)
		if !ok {
			return nil, nil, nil // nothing ahead to tell anyone about
		}
		recips, err := recipientsOf(tx, before)
		if err != nil {
			return nil, nil, err
		}
		var rows []models.Reminder
		for _, r := range recips {
			rows = append(rows, s.newNotice(models.NoticeCancellation, subject, next.StartS, next.EndS, r, int64(subject.Sequence), now.Unix()))
		}
		return rows, nil, nil
	}
	if !invite && (before == nil || after.Sequence == before.Sequence) {
		return nil, nil, nil // an import without news for anyone: keep it fast
	}
	var next occSpan
	var ok bool
	if known.fresh {
		next, ok = firstAhead(known.occurrences, now)
	} else {
		next, ok = s.nextOccurrence(tx, after.ID, now)
	}
	if !ok {
		return nil, nil, nil // nothing ahead to tell anyone about
	}
	cur := known.view
	if cur == nil {
		views, err := loadViewsNamed(tx, []int64{after.ID}, known.named)
		if err != nil || len(views) == 0 {
			return nil, nil, fmt.Errorf("load activity %d for its notices: %v", after.ID, err)
		}
		cur = &views[0]
	}
	recips, err := recipientsOf(tx, cur)
	if err != nil {
		return nil, nil, err
	}
	was := map[string]bool{}
	var old []recipient
	if before != nil {
		if old, err = recipientsOf(tx, before); err != nil {
			return nil, nil, err
		}
		for _, r := range old {
			was[strings.ToLower(r.Email)] = true
		}
	}
	significant := before != nil && cur.Sequence != before.Sequence
	// A cancelled activity booked again, or a proposal every side agreed
	// to, invites everyone afresh.
	reinstated := before != nil && (models.Status(before.Status) == models.StatusCancelled || wasProposed)
	var rows []models.Reminder
	is := map[string]bool{}
	for _, r := range recips {
		key := strings.ToLower(r.Email)
		is[key] = true
		switch {
		case !was[key] || reinstated:
			if invite && !r.prefs.NoInvitations {
				rows = append(rows, s.newNotice(models.NoticeInvitation, cur, next.StartS, next.EndS, r, int64(cur.Version), now.Unix()))
			}
		case significant:
			rows = append(rows, s.newNotice(models.NoticeUpdate, cur, next.StartS, next.EndS, r, int64(cur.Sequence), now.Unix()))
		}
	}
	if !reinstated {
		for _, r := range old {
			if !is[strings.ToLower(r.Email)] {
				rows = append(rows, s.newNotice(models.NoticeRemoval, cur, next.StartS, next.EndS, r, int64(cur.Version), now.Unix()))
			}
		}
	}
	return rows, cur, nil
}

type occSpan struct{ StartS, EndS int64 }

// nextOccurrence is the first occurrence of an activity not yet started.
func (s *Store) nextOccurrence(db *gorm.DB, id int64, now time.Time) (occSpan, bool) {
	var rows []occSpan
	db.Table("occurrences").Select("start_s, end_s").Where("activity_id = ? AND start_s > ?", id, now.Unix()).Order("start_s").Limit(1).Scan(&rows)
	if len(rows) == 0 {
		return occSpan{}, false
	}
	return rows[0], true
}

// ClaimReminders takes up to limit due notices for sending. On PostgreSQL
// FOR UPDATE SKIP LOCKED lets several instances share the outbox without
// taking the same row; SQLite has one writer. Notices abandoned in
// 'sending' by a crashed dispatcher return to the queue after the lease.
func (s *Store) ClaimReminders(ctx context.Context, limit int) ([]models.Reminder, error) {
	now := s.now()
	var claimed []models.Reminder
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.Reminder{}).Where("status = ? AND claimed_s < ?", models.OutboxSending, now.Add(-s.reminders.Lease).Unix()).
			Updates(map[string]any{"status": models.OutboxPending, "last_error": "claim expired (dispatcher stopped mid-send)", "updated_at": now}).Error; err != nil {
			return fmt.Errorf("update reminder: %w", err)
		}
		lock := ""
		if s.dialect == models.Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		return tx.Raw(`UPDATE reminders SET status = ?, claimed_s = ?, attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM reminders WHERE status = ? AND next_attempt_s <= ? ORDER BY next_attempt_s, id LIMIT ?`+lock+`)
			RETURNING *`, models.OutboxSending, now.Unix(), now, models.OutboxPending, now.Unix(), limit).Scan(&claimed).Error
	})
	sort.Slice(claimed, func(i, j int) bool { return claimed[i].ID < claimed[j].ID })
	for i := range claimed {
		claimed[i].Fill()
	}
	return claimed, err
}

// MarkReminderSent records an accepted message.
func (s *Store) MarkReminderSent(ctx context.Context, id int64, messageID string) error {
	now := s.now()
	return s.db.WithContext(ctx).Model(&models.Reminder{}).Where("id = ? AND status = ?", id, models.OutboxSending).
		Updates(map[string]any{"status": models.OutboxSent, "message_id": messageID, "sent_at": now, "last_error": "", "updated_at": now}).Error
}

// MarkReminderFailed records a failed attempt: retried with exponential
// backoff and jitter until MaxAttempts, or failed at once when permanent.
func (s *Store) MarkReminderFailed(ctx context.Context, r models.Reminder, cause error, permanent bool, jitter func(time.Duration) time.Duration) error {
	now := s.now()
	status, next := models.OutboxPending, now
	if permanent || r.Attempts >= s.reminders.MaxAttempts {
		status = models.OutboxFailed
	} else {
		backoff := time.Duration(1<<min(r.Attempts, 12)) * 30 * time.Second
		if jitter != nil {
			backoff += jitter(backoff / 2)
		}
		next = now.Add(backoff)
	}
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return s.db.WithContext(ctx).Model(&models.Reminder{}).Where("id = ?", r.ID).
		Updates(map[string]any{"status": status, "next_attempt_s": next.Unix(), "last_error": msg, "updated_at": now}).Error
}

// CloseReminder ends a claimed notice without sending (expired, dropped).
func (s *Store) CloseReminder(ctx context.Context, id int64, status, reason string) error {
	return s.db.WithContext(ctx).Model(&models.Reminder{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "last_error": reason, "updated_at": s.now()}).Error
}

// NoticeSubject is what the dispatcher needs to write a notice: the
// activity (tombstones included, for cancellations) and whether the
// recipient still takes part in it and may see it. cache, when not nil,
// keeps activities across the notices of one batch.
func (s *Store) NoticeSubject(ctx context.Context, r models.Reminder, cache map[int64]*models.ActivityView) (*models.ActivityView, bool, error) {
	db := s.db.WithContext(ctx)
	if r.ActivityID == nil {
		return nil, false, models.ErrNotFound
	}
	v, ok := cache[*r.ActivityID]
	if !ok {
		views, err := loadViews(db, []int64{*r.ActivityID})
		if err != nil {
			return nil, false, err
		}
		if len(views) == 0 {
			return nil, false, models.ErrNotFound
		}
		v = &views[0]
		if cache != nil {
			cache[v.ID] = v
		}
	}
	if r.Kind == models.NoticeRemoval {
		// No longer a recipient, by definition: the cancellation goes to
		// them as long as they may still see the activity.
		viewer, err := addressViewer(db, r.RecipientEmail)
		return v, err == nil && viewer.CanSee(v.Restricted, v.Allowed), err
	}
	viewer, ok, err := recipientViewer(db, v, r.RecipientEmail)
	if err != nil || !ok {
		return v, false, err
	}
	return v, viewer.CanSee(v.Restricted, v.Allowed), nil
}

// addressViewer is the eyes of an address: its person's organisation, or
// the organisation whose contact address it is; nobody's sees only what
// is unrestricted.
func addressViewer(db *gorm.DB, email string) (models.Viewer, error) {
	var orgs []*int64
	if err := db.Table("people").Where("LOWER(email) = LOWER(?)", email).Pluck("organization_id", &orgs).Error; err != nil {
		return models.Viewer{}, fmt.Errorf("load the person of %s: %w", email, err)
	}
	if len(orgs) > 0 {
		return models.Viewer{OrganizationID: derefID(orgs[0])}, nil
	}
	var ids []int64
	if err := db.Table("organizations").Where("LOWER(contact_email) = LOWER(?)", email).Pluck("id", &ids).Error; err != nil {
		return models.Viewer{}, fmt.Errorf("load the organisation of %s: %w", email, err)
	}
	if len(ids) > 0 {
		return models.Viewer{OrganizationID: ids[0]}, nil
	}
	return models.Viewer{}, nil
}

// RecipientOf looks up the recipient of a notice about an activity.
func (s *Store) RecipientOf(ctx context.Context, activityID int64, email string) (models.NoticeRecipient, error) {
	out := models.NoticeRecipient{Language: "en", PartStat: string(models.RSVPNeedsAction)}
	var people []models.Person
	if err := s.db.WithContext(ctx).Where("LOWER(email) = LOWER(?)", email).Limit(1).Find(&people).Error; err != nil {
		return out, fmt.Errorf("load the person of %s: %w", email, err)
	}
	if len(people) == 0 {
		return out, nil
	}
	out.PersonID = people[0].ID
	if people[0].Language != "" {
		out.Language = people[0].Language
	}
	var states []string
	if err := s.db.WithContext(ctx).Table("replies").Where("activity_id = ? AND person_id = ? AND occurrence_start_s = 0", activityID, out.PersonID).
		Pluck("partstat", &states).Error; err != nil {
		return out, fmt.Errorf("load the answer of %s: %w", email, err)
	}
	if len(states) > 0 {
		out.PartStat = states[0]
	}
	var ends []*int64
	if err := s.db.WithContext(ctx).Table("occurrences").Where("activity_id = ?", activityID).Select("MAX(end_s)").Scan(&ends).Error; err != nil {
		return out, fmt.Errorf("load the end of activity %d: %w", activityID, err)
	}
	if len(ends) > 0 && ends[0] != nil {
		out.Until = time.Unix(*ends[0], 0).UTC()
	}
	return out, nil
}

// recipientViewer says whether email is still a recipient of v (a
// participating person, a member of a participating body, or the contact
// of a participating organisation) and with whose eyes it sees — without
// listing every recipient, which for a large committee would be one query
// per member for every message.
func recipientViewer(db *gorm.DB, v *models.ActivityView, email string) (models.Viewer, bool, error) {
	people, bodies, orgs := v.ParticipantIDs()
	var p models.Person
	err := db.Where("LOWER(email) = LOWER(?)", email).First(&p).Error
	if err == nil {
		if slices.Contains(people, p.ID) {
			return models.Viewer{OrganizationID: derefID(p.OrganizationID)}, true, nil
		}
		if len(bodies) > 0 {
			var n int64
			if err := db.Table("body_members").Where("person_id = ? AND body_id IN ?", p.ID, bodies).Count(&n).Error; err != nil {
				return models.Viewer{}, false, fmt.Errorf("count body members: %w", err)
			}
			if n > 0 {
				return models.Viewer{OrganizationID: derefID(p.OrganizationID)}, true, nil
			}
		}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Viewer{}, false, err
	}
	if len(orgs) > 0 {
		var ids []int64
		if err := db.Table("organizations").Where("LOWER(contact_email) = LOWER(?) AND id IN ?", email, orgs).Pluck("id", &ids).Error; err != nil {
			return models.Viewer{}, false, fmt.Errorf("read organizations: %w", err)
		}
		if len(ids) > 0 {
			return models.Viewer{OrganizationID: ids[0]}, true, nil
		}
	}
	return models.Viewer{}, false, nil
}

// ListReminders lists outbox rows (administrators).
func (s *Store) ListReminders(ctx context.Context, a models.Actor, f models.ReminderFilter) (models.Page[models.Reminder], error) {
	if err := a.RequireAdmin(); err != nil {
		return models.Page[models.Reminder]{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Reminder{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Activity != 0 {
		q = q.Where("activity_id = ?", f.Activity)
	}
	if !f.From.IsZero() {
		q = q.Where("due_s >= ?", f.From.Unix())
	}
	if !f.To.IsZero() {
		q = q.Where("due_s < ?", f.To.Unix())
	}
	page, err := paginate(q, "id", f.ListOptions, func(r models.Reminder) int64 { return r.ID })
	for i := range page.Items {
		page.Items[i].Fill()
	}
	return page, err
}

// RetryReminder re-queues a failed notice (administrators).
func (s *Store) RetryReminder(ctx context.Context, a models.Actor, id int64) (*models.Reminder, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var r models.Reminder
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&r, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.ErrNotFound
			}
			return err
		}
		if r.Status != models.OutboxFailed {
			return &models.ValidationError{Errors: []models.FieldError{{Field: "status", Message: "only a failed notice can be retried; this one is " + r.Status}}}
		}
		now := s.now()
		r.Status, r.Attempts, r.NextAttemptS, r.UpdatedAt = models.OutboxPending, 0, now.Unix(), now
		if err := tx.Save(&r).Error; err != nil {
			return fmt.Errorf("retry reminder: %w", err)
		}
		return s.audit(tx, a, "retry", "reminder", r.ID, nil, r, "")
	})
	r.Fill()
	return &r, err
}
