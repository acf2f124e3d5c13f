package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
)

// Deliverer is what the dispatcher needs of a sender: each message's
// result as soon as it is known (notify.Sender's SendEach), so that a
// message is marked sent right after the server accepts it. A crash then
// re-sends at most the one message whose acceptance was not yet recorded.
type Deliverer = notify.Sender

// Dispatcher turns due outbox rows into e-mails: it plans reminder rows
// shortly before they fall due, claims due rows, composes and sends them,
// and records each outcome.
type Dispatcher struct {
	Store  *storage.Store
	Sender Deliverer
	// From is the sender address; Host the Message-ID and UID domain;
	// BaseURL the root of links back to activities.
	From, Host, BaseURL string
	// ReplyAddress is the ORGANIZER of every notice's invitation, where
	// calendar clients send their answers ("" keeps From).
	ReplyAddress string
	// ReplyLinks, when set, makes the signed answer links of an
	// invitation to person about activity, valid until until.
	ReplyLinks func(person, activity int64, until time.Time) []notify.ReplyLink
	Log        *slog.Logger
	// Batch is how many messages go over one connection (default 50).
	Batch int
	// CatchUp bounds how far back the first tick after a start plans when
	// no planning progress is recorded, or when it is older (default 30
	// days): reminders whose time passed while the service was down are
	// sent when their occurrence still lies ahead.
	CatchUp time.Duration

	planned time.Time
	// draining keeps one Drain at a time per process (the reminder and
	// retry jobs share the outbox): one SMTP connection, so a crash can
	// leave at most one message accepted but unrecorded.
	draining sync.Mutex
}

// Tick plans the reminders falling due up to the next tick and sends
// everything due. It is the job the scheduler runs every minute.
func (d *Dispatcher) Tick(ctx context.Context) error {
	now := d.Store.Now()
	from := d.planned
	if from.IsZero() {
		// After a start, resume where planning (of any instance) stopped,
		// so reminders that fell due while the service was down are still
		// sent if their occurrence lies ahead — and none is sent late
		// merely because the process restarted.
		last, err := d.Store.PlannedUntil(ctx)
		if err != nil {
			return fmt.Errorf("read planning progress: %w", err)
		}
		catchUp := d.CatchUp
		if catchUp == 0 {
			catchUp = 30 * 24 * time.Hour
		}
		from = now.Add(-catchUp)
		if !last.IsZero() && last.After(from) {
			from = last
		}
	}
	ahead := d.Store.ReminderPlanAhead()
	// Overlap the previous window: keys make re-planning harmless, and a
	// booking made since the last tick may have a reminder due in it.
	from = from.Add(-ahead - time.Minute)
	to := now.Add(ahead)
	if _, err := d.Store.PlanReminders(ctx, from, to); err != nil {
		return fmt.Errorf("plan reminders: %w", err)
	}
	d.planned = to
	if err := d.Store.SetPlannedUntil(ctx, to); err != nil {
		return fmt.Errorf("record planning progress: %w", err)
	}
	return d.Drain(ctx)
}

// Drain sends every due notice (new ones and retries whose backoff has
// passed) until none is left.
func (d *Dispatcher) Drain(ctx context.Context) error {
	if !d.draining.TryLock() {
		return nil // the other job is already sending everything due
	}
	defer d.draining.Unlock()
	batch := d.Batch
	if batch <= 0 {
		batch = 50
	}
	for ctx.Err() == nil {
		claimed, err := d.Store.ClaimReminders(ctx, batch)
		if err != nil {
			return fmt.Errorf("claim reminders: %w", err)
		}
		if len(claimed) == 0 {
			return nil
		}
		var msgs []*notify.Message
		var rows []models.Reminder
		activities := map[int64]*models.ActivityView{}
		for _, r := range claimed {
			m, err := d.compose(ctx, r, activities)
			if err != nil {
				return err
			}
			if m != nil {
				msgs = append(msgs, m)
				rows = append(rows, r)
			}
		}
		var markErr error
		d.Sender.SendEach(ctx, msgs, func(i int, err error) {
			if err == nil {
				if e := d.Store.MarkReminderSent(context.WithoutCancel(ctx), rows[i].ID, msgs[i].ID); e != nil {
					markErr = e
				}
				return
			}
			d.Log.Warn("notice not delivered", "reminder", rows[i].ID, "to", rows[i].RecipientEmail, "error", err, "permanent", notify.IsPermanent(err))
			if e := d.Store.MarkReminderFailed(context.WithoutCancel(ctx), rows[i], err, notify.IsPermanent(err), jitter); e != nil {
				markErr = e
			}
		})
		if markErr != nil {
			return fmt.Errorf("record delivery: %w", markErr)
		}
	}
	return ctx.Err()
}

func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// compose writes the e-mail of one claimed notice, or closes the notice
// when it no longer applies (nil message).
func (d *Dispatcher) compose(ctx context.Context, r models.Reminder, activities map[int64]*models.ActivityView) (*notify.Message, error) {
	now := d.Store.Now()
	if r.Kind == models.NoticeDigest {
		return d.composeDigest(ctx, r, now)
	}
	if r.Kind == models.NoticeProposal {
		return d.composeProposal(ctx, r, now)
	}
	if r.Kind == models.NoticeDeclined || r.Kind == models.NoticeChase {
		return d.composeReplyNotice(ctx, r, now)
	}
	v, visible, err := d.Store.NoticeSubject(ctx, r, activities)
	if errors.Is(err, models.ErrNotFound) {
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the activity no longer exists")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case !visible:
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the recipient no longer takes part in or may no longer see the activity")
	case r.Kind == models.NoticeReminder && (models.Status(v.Status) == models.StatusCancelled || v.DeletedAt != nil):
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the activity was cancelled")
	case r.Kind == models.NoticeReminder && !r.OccurrenceStart.After(now):
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxExpired, "the occurrence started before the reminder could be sent")
	}
	who, err := d.Store.RecipientOf(ctx, v.ID, r.RecipientEmail)
	if err != nil {
		return nil, err
	}
	kind := r.Kind
	switch r.Kind {
	case models.NoticeInvitation:
		kind = notify.KindInvitation
	case models.NoticeRemoval:
		kind = notify.KindCancellation
	}
	ev := v.CalendarEvent(d.BaseURL, d.Host)
	n := notify.Notice{
		Kind: kind, Key: r.Key, Host: d.Host, From: d.From, Organizer: d.ReplyAddress, PartStat: who.PartStat, Language: who.Language,
		To:       notify.Recipient{Name: r.RecipientName, Email: r.RecipientEmail, TimeZone: r.RecipientTimeZone},
		Activity: ev, Occurrence: r.OccurrenceStart, OccurrenceEnd: time.Unix(r.OccurrenceEndS, 0).UTC(),
		Lead: v.LeadOrganization, Link: ev.URL, Now: now,
	}
	if kind == notify.KindInvitation && who.PersonID != 0 && d.ReplyLinks != nil && who.Until.After(now) {
		n.ReplyLinks = d.ReplyLinks(who.PersonID, v.ID, who.Until)
	}
	m, err := notify.Compose(n)
	if err != nil {
		// A notice that cannot be written will not improve by retrying.
		d.Log.Error("cannot compose notice", "reminder", r.ID, "error", err)
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxFailed, "cannot compose: "+err.Error())
	}
	return m, nil
}

// composeDigest writes a person's weekly agenda.
func (d *Dispatcher) composeDigest(ctx context.Context, r models.Reminder, now time.Time) (*notify.Message, error) {
	from, to := r.OccurrenceStart, time.Unix(r.OccurrenceEndS, 0).UTC()
	agenda, err := d.Store.Agenda(ctx, r.RecipientEmail, from, to)
	if errors.Is(err, models.ErrNotFound) {
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the person no longer exists")
	}
	if err != nil {
		return nil, err
	}
	items := make([]notify.DigestItem, len(agenda))
	for i, a := range agenda {
		ev := a.Activity.CalendarEvent(d.BaseURL, d.Host)
		items[i] = notify.DigestItem{Title: a.Activity.Title, Start: a.Start, End: a.End, AllDay: a.Activity.AllDay, TimeZone: a.Activity.TimeZone,
			Location: ev.Location, Lead: a.Activity.LeadOrganization, Link: ev.URL}
	}
	m, err := notify.ComposeDigest(notify.Digest{Key: r.Key, Host: d.Host, From: d.From,
		To: notify.Recipient{Name: r.RecipientName, Email: r.RecipientEmail, TimeZone: r.RecipientTimeZone}, WeekStart: from, Items: items, Now: now})
	if err != nil {
		d.Log.Error("cannot compose digest", "reminder", r.ID, "error", err)
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxFailed, "cannot compose: "+err.Error())
	}
	return m, nil
}

// composeProposal writes a notice about a step of a proposal, unless the
// recipient's organisation may no longer see the activity.
func (d *Dispatcher) composeProposal(ctx context.Context, r models.Reminder, now time.Time) (*notify.Message, error) {
	note, visible, err := d.Store.ProposalNotice(ctx, r)
	if errors.Is(err, models.ErrNotFound) {
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the proposal no longer exists")
	}
	if err != nil {
		return nil, err
	}
	if !visible {
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the recipient may no longer see the activity")
	}
	m, err := notify.ComposeProposal(notify.ProposalMail{Key: r.Key, Host: d.Host, From: d.From,
		To:   notify.Recipient{Name: r.RecipientName, Email: r.RecipientEmail, TimeZone: r.RecipientTimeZone},
		Step: note.Step, By: note.By, Reason: note.Reason, Title: note.Title, Start: note.Start, End: note.End, TimeZone: note.TimeZone,
		Lead: note.Lead, Awaiting: note.Awaiting, Link: fmt.Sprintf("%s/activities/%d", d.BaseURL, note.ActivityID), Now: now})
	if err != nil {
		d.Log.Error("cannot compose proposal notice", "reminder", r.ID, "error", err)
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxFailed, "cannot compose: "+err.Error())
	}
	return m, nil
}
