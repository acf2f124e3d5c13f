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
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// maxReplyComment bounds the comment of a reply.
const maxReplyComment = 1000

// replyRow is one stored answer: of a person to an activity
// (OccurrenceStartS 0) or to one occurrence of it (its original start).
type replyRow struct {
	ID               int64 `gorm:"primaryKey"`
	ActivityID       int64
	PersonID         int64
	OccurrenceStartS int64  `gorm:"column:occurrence_start_s"`
	PartStat         string `gorm:"column:partstat"`
	Comment          string
	Channel          string
	RepliedAt        time.Time
}

func (replyRow) TableName() string { return "replies" }

// ReplyAs answers for the signed-in person (the API and the web
// application). The activity is resolved with the actor's visibility; only
// a person it reaches (directly, through a body, or as an organisation's
// contact address) may answer.
func (s *Store) ReplyAs(ctx context.Context, a models.Actor, activityID int64, in models.ReplyInput, ch models.ReplyChannel) (*models.Reply, error) {
	if a.PersonID == 0 {
		return nil, &models.ForbiddenError{Reason: "only a person answers an invitation; this is a service token without a person (use a personal token or a browser session)"}
	}
	return s.recordReply(ctx, a, a.Viewer(), a.PersonID, activityID, in, ch)
}

// ReplyFor records an answer that arrived without a session (a signed
// link, an iTIP reply by e-mail): the caller has established that it is
// person's. The activity is resolved with the person's own visibility.
func (s *Store) ReplyFor(ctx context.Context, personID, activityID int64, in models.ReplyInput, ch models.ReplyChannel) (*models.Reply, error) {
	var p models.Person
	if err := s.db.WithContext(ctx).First(&p, personID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load person %d: %w", personID, err)
	}
	a := models.Actor{PersonID: p.ID, Name: p.Email + " (" + string(ch) + ")", Role: models.RoleViewer, OrganizationID: derefID(p.OrganizationID)}
	return s.recordReply(ctx, a, a.Viewer(), p.ID, activityID, in, ch)
}

func (s *Store) recordReply(ctx context.Context, a models.Actor, viewer models.Viewer, personID, activityID int64, in models.ReplyInput, ch models.ReplyChannel) (*models.Reply, error) {
	v := &models.ValidationError{}
	models.CheckEnum(v, "partstat", in.PartStat, models.EnumNames(models.RSVPs())...)
	models.CheckText(v, "comment", in.Comment, false, maxReplyComment)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	var out *models.Reply
	err := s.write(ctx, func(tx *gorm.DB) error {
		views, err := loadViews(tx, []int64{activityID})
		if err != nil {
			return fmt.Errorf("load activity %d: %w", activityID, err)
		}
		if len(views) == 0 || !viewer.CanSee(views[0].Restricted, views[0].Allowed) {
			return models.ErrNotFound
		}
		act := &views[0]
		if act.DeletedAt != nil {
			return models.ErrGone
		}
		if models.Status(act.Status) == models.StatusCancelled {
			return &models.ValidationError{Errors: []models.FieldError{{Field: "partstat", Message: "the activity is cancelled; there is nothing to answer"}}}
		}
		me, err := recipientFor(tx, act, personID)
		if err != nil {
			return err
		}
		if me == nil {
			return &models.ForbiddenError{Reason: "only a participant of the activity (directly, through a body, or as an organisation's contact) may answer it"}
		}
		row := replyRow{ActivityID: activityID, PersonID: personID, PartStat: in.PartStat, Comment: strings.TrimSpace(in.Comment), Channel: string(ch), RepliedAt: s.now()}
		if in.Occurrence != nil {
			var n int64
			rid := in.Occurrence.Unix()
			if err := tx.Table("occurrences").Where("activity_id = ? AND recurrence_id = ?", activityID, rid).Count(&n).Error; err != nil {
				return fmt.Errorf("find the occurrence: %w", err)
			}
			if n == 0 {
				return &models.ValidationError{Errors: []models.FieldError{{Field: "occurrence", Message: fmt.Sprintf("no occurrence of the activity starts at %s", in.Occurrence.UTC().Format(time.RFC3339))}}}
			}
			row.OccurrenceStartS = rid
		}
		var before []replyRow
		if err := tx.Where("activity_id = ? AND person_id = ? AND occurrence_start_s = ?", activityID, personID, row.OccurrenceStartS).Find(&before).Error; err != nil {
			return fmt.Errorf("load the previous answer: %w", err)
		}
		if len(before) == 1 && before[0].PartStat == row.PartStat && before[0].Comment == row.Comment {
			// The same answer again (a second click, a client re-sending):
			// nothing changes, nothing is audited.
			out, err = s.replyOf(tx, act, *me)
			return err
		}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "activity_id"}, {Name: "person_id"}, {Name: "occurrence_start_s"}},
			DoUpdates: clause.AssignmentColumns([]string{"partstat", "comment", "channel", "replied_at"}),
		}).Create(&row).Error; err != nil {
			return fmt.Errorf("record the answer: %w", err)
		}
		if err := s.applyReply(tx, act, personID, row); err != nil {
			return err
		}
		if err := s.queueDeclineNotice(tx, act, *me, row); err != nil {
			return err
		}
		var prev any
		if len(before) == 1 {
			prev = before[0]
		}
		if err := s.audit(tx, a, "reply", "activity", activityID, prev, row, string(ch)); err != nil {
			return err
		}
		out, err = s.replyOf(tx, act, *me)
		return err
	})
	return out, err
}

// applyReply carries an answer into what depends on it: the RSVP of a
// person listed directly (which feeds and invitations show as PARTSTAT,
// so the activity's version moves for their caches), and the person's
// occupancy of the activity — declined frees their time, tentative makes
// a clash soft.
func (s *Store) applyReply(tx *gorm.DB, act *models.ActivityView, personID int64, row replyRow) error {
	direct := false
	for _, p := range act.Participants {
		if p.Type == string(models.ResourcePerson) && p.ID == personID {
			direct = true
		}
	}
	if !direct {
		return nil // only direct participants occupy time as themselves
	}
	if row.OccurrenceStartS == 0 {
		if err := tx.Model(&models.Participant{}).Where("activity_id = ? AND type = ? AND ref_id = ?", act.ID, models.ResourcePerson, personID).
			Update("rsvp", row.PartStat).Error; err != nil {
			return fmt.Errorf("update the RSVP of person %d: %w", personID, err)
		}
		if err := tx.Model(&models.Activity{}).Where("id = ?", act.ID).
			Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": s.now()}).Error; err != nil {
			return fmt.Errorf("touch activity %d: %w", act.ID, err)
		}
	}
	return rewritePersonOccupancy(tx, act, personID)
}

// rewritePersonOccupancy replaces a directly listed person's occupancy of
// an activity after an answer. The rows written hold nothing exclusively:
// a person who takes back a decline may have been booked elsewhere
// meanwhile, which the conflict list then shows rather than the database
// refusing the answer.
func rewritePersonOccupancy(tx *gorm.DB, act *models.ActivityView, personID int64) error {
	if err := tx.Where("activity_id = ? AND resource_type = ? AND resource_id = ?", act.ID, models.ResourcePerson, personID).Delete(&occupancyRow{}).Error; err != nil {
		return fmt.Errorf("clear the occupancy of person %d: %w", personID, err)
	}
	if models.Status(act.Status) == models.StatusCancelled || act.DeletedAt != nil {
		return nil
	}
	required := false
	for _, p := range act.Participants {
		if p.Type == string(models.ResourcePerson) && p.ID == personID {
			required = p.Required
		}
	}
	answers, err := loadAnswers(tx, act.ID)
	if err != nil {
		return err
	}
	var occs []occurrenceRow
	if err := tx.Where("activity_id = ?", act.ID).Order("start_s").Find(&occs).Error; err != nil {
		return fmt.Errorf("load occurrences: %w", err)
	}
	rows := make([]occupancyRow, 0, len(occs))
	for _, o := range occs {
		req, keep := answers.occupies(personID, o.RecurrenceID, required)
		if !keep {
			continue
		}
		rows = append(rows, occupancyRow{ActivityID: act.ID, Kind: act.Kind, StartS: o.StartS, EndS: o.EndS,
			ResourceType: string(models.ResourcePerson), ResourceID: personID, Required: req})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, 500).Error
}

// answers are the stored answers of an activity's people, by person and
// occurrence (0 for the whole activity).
type answers map[int64]map[int64]string

// anyDeclined tells whether any answer, to an occurrence or to the whole
// activity, declines.
func (as answers) anyDeclined() bool {
	for _, byOccurrence := range as {
		for _, state := range byOccurrence {
			if models.RSVP(state) == models.RSVPDeclined {
				return true
			}
		}
	}
	return false
}

func loadAnswers(tx *gorm.DB, activityID int64) (answers, error) {
	out := answers{}
	if activityID == 0 {
		return out, nil
	}
	var rows []replyRow
	if err := tx.Where("activity_id = ?", activityID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the answers to activity %d: %w", activityID, err)
	}
	for _, r := range rows {
		if out[r.PersonID] == nil {
			out[r.PersonID] = map[int64]string{}
		}
		out[r.PersonID][r.OccurrenceStartS] = r.PartStat
	}
	return out, nil
}

// adjust applies whole-activity answers to the claims of people listed
// directly: a person who declined claims nothing, one who answered
// tentative claims their time as an optional participant would.
func (as answers) adjust(claims []planning.Claim) []planning.Claim {
	out := claims[:0:0]
	for _, c := range claims {
		if c.Resource.Type == planning.ResourcePerson {
			switch models.RSVP(as[c.Resource.ID][0]) {
			case models.RSVPDeclined:
				continue
			case models.RSVPTentative:
				c.Required = false
			}
		}
		out = append(out, c)
	}
	return out
}

// filter applies answers for single occurrences to the conflicts of a
// proposal (whole-activity answers are already in its claims): a person
// who declined an occurrence has no conflict in it, one who answered
// tentative only a soft one.
func (as answers) filter(found []planning.Conflict, occs []planning.Occurrence) []planning.Conflict {
	if len(as) == 0 {
		return found
	}
	out := found[:0]
	for _, c := range found {
		if c.Resource.Type == planning.ResourcePerson && c.Severity == planning.SeverityHard {
			for _, o := range occs {
				if !o.Start.Equal(c.Occurrence.Start) {
					continue
				}
				if req, keep := as.occupies(c.Resource.ID, o.RecurrenceID.Unix(), true); !keep {
					c.Severity = ""
				} else if !req {
					c.Rule, c.Severity = planning.RuleOptionalBusy, planning.SeveritySoft
				}
				break
			}
			if c.Severity == "" {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// occupies says whether a person occupies an occurrence given their
// answers, and whether as a required participant: declined frees them,
// tentative makes them optional (a soft clash). An answer for the
// occurrence wins over the one for the whole activity.
func (as answers) occupies(personID, recurrenceID int64, required bool) (req, keep bool) {
	state, ok := as[personID][recurrenceID]
	if !ok {
		state = as[personID][0]
	}
	switch models.RSVP(state) {
	case models.RSVPDeclined:
		return false, false
	case models.RSVPTentative:
		return false, true
	}
	return required, true
}

// replyOf is one recipient's reply state.
func (s *Store) replyOf(tx *gorm.DB, act *models.ActivityView, r recipient) (*models.Reply, error) {
	var rows []replyRow
	if err := tx.Where("activity_id = ? AND person_id = ?", act.ID, r.personID).Order("occurrence_start_s").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the answers of person %d: %w", r.personID, err)
	}
	out := newReply(act.ID, r)
	for _, row := range rows {
		addReply(&out, row, act.Start.Location())
	}
	return &out, nil
}

func newReply(activityID int64, r recipient) models.Reply {
	return models.Reply{Activity: activityID, Person: models.ReplyPerson{ID: r.personID, Name: r.Name, Email: r.Email}, Required: r.required,
		PartStat: string(models.RSVPNeedsAction), Occurrences: []models.OccurrenceReply{}}
}

func addReply(r *models.Reply, row replyRow, loc *time.Location) {
	at := row.RepliedAt.UTC()
	if row.OccurrenceStartS == 0 {
		ch := row.Channel
		r.PartStat, r.Comment, r.Channel, r.RepliedAt = row.PartStat, row.Comment, &ch, &at
		return
	}
	r.Occurrences = append(r.Occurrences, models.OccurrenceReply{Occurrence: time.Unix(row.OccurrenceStartS, 0).In(loc), PartStat: row.PartStat,
		Comment: row.Comment, Channel: row.Channel, RepliedAt: at})
}

// ListReplies is the reply table of an activity for those who may see it
// and plan it (administrators, planners of the lead organisation), one
// row per person it reaches in the order of their ids, with the summary.
func (s *Store) ListReplies(ctx context.Context, a models.Actor, activityID int64, opts models.ListOptions) (*models.ReplyList, error) {
	act, err := s.GetActivity(ctx, a, activityID)
	if err != nil {
		return nil, err
	}
	if a.Role == models.RoleViewer {
		return nil, &models.ForbiddenError{Reason: "the replies to an activity are for its planners"}
	}
	lead, err := s.leadOrganization(ctx, activityID)
	if err != nil {
		return nil, err
	}
	if err := a.CanWriteActivity(lead); err != nil {
		return nil, &models.ForbiddenError{Reason: "the replies to an activity are for the planners of its lead organisation"}
	}
	limit, after, err := opts.Normalise()
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	all, err := s.replyTable(db, act)
	if err != nil {
		return nil, err
	}
	list := &models.ReplyList{}
	for _, r := range all {
		list.Summary.Count(r.PartStat)
	}
	list.Total = int64(len(all))
	i := sort.Search(len(all), func(i int) bool { return all[i].Person.ID > after })
	all = all[i:]
	if len(all) > limit {
		all = all[:limit]
		list.NextCursor = encodeCursor(all[limit-1].Person.ID)
	}
	list.Items = all
	return list, nil
}

func (s *Store) leadOrganization(ctx context.Context, activityID int64) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Table("activities").Where("id = ?", activityID).Pluck("lead_organization_id", &ids).Error; err != nil || len(ids) == 0 {
		return 0, fmt.Errorf("load the lead organisation of activity %d: %v", activityID, err)
	}
	return ids[0], nil
}

// replyTable is the reply state of every person an activity reaches, by
// person id.
func (s *Store) replyTable(db *gorm.DB, act *models.ActivityView) ([]models.Reply, error) {
	recips, err := recipientsOf(db, act)
	if err != nil {
		return nil, err
	}
	var rows []replyRow
	if err := db.Where("activity_id = ?", act.ID).Order("person_id, occurrence_start_s").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the answers to activity %d: %w", act.ID, err)
	}
	byPerson := map[int64]*models.Reply{}
	var out []models.Reply
	for _, r := range recips {
		if r.personID != 0 {
			out = append(out, newReply(act.ID, r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Person.ID < out[j].Person.ID })
	for i := range out {
		byPerson[out[i].Person.ID] = &out[i]
	}
	for _, row := range rows {
		if r, ok := byPerson[row.PersonID]; ok {
			addReply(r, row, act.Start.Location())
		}
	}
	if out == nil {
		out = []models.Reply{}
	}
	return out, nil
}

// ReplySummary counts the whole-activity answers of the people an
// activity reaches.
func (s *Store) ReplySummary(ctx context.Context, act *models.ActivityView) (models.ReplySummary, error) {
	var sum models.ReplySummary
	table, err := s.replyTable(s.db.WithContext(ctx), act)
	if err != nil {
		return sum, err
	}
	for _, r := range table {
		sum.Count(r.PartStat)
	}
	return sum, nil
}

// ReplyLinkSubject resolves the person and activity of an answer link
// with the person's own visibility: ErrNotFound when they may not see it
// (or either is gone), NotRecipient when it no longer reaches them.
func (s *Store) ReplyLinkSubject(ctx context.Context, personID, activityID int64) (*models.ReplyLinkSubject, error) {
	db := s.db.WithContext(ctx)
	var p models.Person
	if err := db.First(&p, personID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrNotFound
		}
		return nil, fmt.Errorf("load person %d: %w", personID, err)
	}
	views, err := loadViews(db, []int64{activityID})
	if err != nil {
		return nil, fmt.Errorf("load activity %d: %w", activityID, err)
	}
	if len(views) == 0 || views[0].DeletedAt != nil || !(models.Viewer{OrganizationID: derefID(p.OrganizationID)}).CanSee(views[0].Restricted, views[0].Allowed) {
		return nil, models.ErrNotFound
	}
	v := &views[0]
	out := &models.ReplyLinkSubject{PersonName: p.Name, Language: p.Language, Title: v.Title, TimeZone: v.TimeZone, Start: v.Start, End: v.End,
		AllDay: v.AllDay, Repeats: v.RRule != "" || len(v.RDates) > 0,
		Cancelled: models.Status(v.Status) == models.StatusCancelled, NotRecipient: true, PartStat: string(models.RSVPNeedsAction)}
	me, err := recipientFor(db, v, personID)
	if err != nil || me == nil {
		return out, err
	}
	out.NotRecipient = false
	reply, err := s.replyOf(db, v, *me)
	if err != nil {
		return nil, err
	}
	out.PartStat = reply.PartStat
	return out, nil
}

// recipientFor is one person as a recipient of an activity (nil when it
// does not reach them, or they may not see it), found without listing
// every recipient: a reply to a committee of a thousand reads one person
// and their memberships, not the thousand.
func recipientFor(db *gorm.DB, v *models.ActivityView, personID int64) (*recipient, error) {
	var people []models.Person
	if err := db.Where("id = ?", personID).Limit(1).Find(&people).Error; err != nil {
		return nil, fmt.Errorf("load person %d: %w", personID, err)
	}
	if len(people) == 0 {
		return nil, nil
	}
	p := people[0]
	r := recipient{Email: p.Email, Name: p.Name, TimeZone: p.TimeZone, viewer: models.Viewer{OrganizationID: derefID(p.OrganizationID)},
		prefs: p.ReminderPreferences, person: true, personID: p.ID, language: p.Language}
	reached := false
	_, bodies, orgs := v.ParticipantIDs()
	required := map[string]bool{}
	for _, pv := range v.Participants {
		required[pv.Type+":"+strconv.FormatInt(pv.ID, 10)] = pv.Required
		if pv.Type == string(models.ResourcePerson) && pv.ID == personID {
			reached, r.required = true, r.required || pv.Required
		}
	}
	if len(bodies) > 0 {
		var in []int64
		if err := db.Table("body_members").Where("person_id = ? AND body_id IN ?", personID, bodies).Pluck("body_id", &in).Error; err != nil {
			return nil, fmt.Errorf("load the memberships of person %d: %w", personID, err)
		}
		for _, b := range in {
			reached, r.required = true, r.required || required["body:"+strconv.FormatInt(b, 10)]
		}
	}
	if len(orgs) > 0 {
		var in []int64
		if err := db.Table("organizations").Where("LOWER(contact_email) = LOWER(?) AND id IN ?", p.Email, orgs).Pluck("id", &in).Error; err != nil {
			return nil, fmt.Errorf("load the organisations of %s: %w", p.Email, err)
		}
		for _, o := range in {
			if !reached {
				r.viewer = models.Viewer{OrganizationID: o} // as recipientsOf: the contact sees with its organisation's eyes
			}
			reached, r.required = true, r.required || required["organization:"+strconv.FormatInt(o, 10)]
		}
	}
	if !reached || !r.viewer.CanSee(v.Restricted, v.Allowed) {
		return nil, nil
	}
	return &r, nil
}
