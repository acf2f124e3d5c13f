package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
)

// composeReplyNotice writes a decline or chase notice to a lead planner,
// unless it no longer applies: the planner may no longer see the
// activity, it was cancelled, the decline was taken back or everyone
// answered meanwhile.
func (d *Dispatcher) composeReplyNotice(ctx context.Context, r models.Reminder, now time.Time) (*notify.Message, error) {
	note, ok, err := d.Store.ReplyNotice(ctx, r)
	if errors.Is(err, models.ErrNotFound) {
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped, "the activity or the person no longer exists")
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxDropped,
			"no longer applies: the recipient may not see the activity, it was cancelled, or the answers changed before it was sent")
	}
	kind := notify.KindReplyChase
	if r.Kind == models.NoticeDeclined {
		kind = notify.KindReplyDeclined
	}
	m, err := notify.ComposeReplyNotice(notify.ReplyMail{Kind: kind, Key: r.Key, Host: d.Host, From: d.From, Language: note.Language,
		To:    notify.Recipient{Name: r.RecipientName, Email: r.RecipientEmail, TimeZone: r.RecipientTimeZone},
		Title: note.Title, Start: note.Start, End: note.End, TimeZone: note.TimeZone, Lead: note.Lead,
		WholeActivity: note.WholeActivity, Recurring: note.Recurring, People: note.People, Comment: note.Comment,
		Link: fmt.Sprintf("%s/activities/%d", d.BaseURL, note.ActivityID), Now: now})
	if err != nil {
		d.Log.Error("cannot compose reply notice", "reminder", r.ID, "error", err)
		return nil, d.Store.CloseReminder(ctx, r.ID, models.OutboxFailed, "cannot compose: "+err.Error())
	}
	return m, nil
}
