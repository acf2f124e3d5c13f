package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/jointcal/jointcal/storage"
)

// Syncer keeps the busy blocks of external-calendar subscriptions
// current: conditional GET, parse with the import code, expand, replace.
// A failed fetch or parse keeps the last good data and records the error.
type Syncer struct {
	Store   *storage.Store
	Fetcher *Fetcher
	Limits  calendar.ImportLimits
	Log     *slog.Logger
}

// SyncDue syncs every subscription whose refresh interval has passed; one
// failing subscription does not stop the others.
func (y *Syncer) SyncDue(ctx context.Context) error {
	due, err := y.Store.DueExternalCalendars(ctx, y.Store.Now())
	if err != nil {
		return err
	}
	for i := range due {
		if err := y.Sync(ctx, &due[i]); err != nil {
			y.Log.Warn("external calendar sync failed", "calendar", due[i].ID, "name", due[i].Name, "error", err)
		}
	}
	return nil
}

// SyncID syncs one subscription now (POST /external-calendars/{id}/sync).
func (y *Syncer) SyncID(ctx context.Context, id int64) error {
	c, err := y.Store.GetExternalCalendar(ctx, models.System(), id)
	if err != nil {
		return err
	}
	return y.Sync(ctx, c)
}

// Sync fetches and stores one subscription; the error it returns has
// already been recorded on the subscription.
func (y *Syncer) Sync(ctx context.Context, c *models.ExternalCalendar) error {
	fail := func(err error) error {
		if rerr := y.Store.RecordExternalFailure(context.WithoutCancel(ctx), c, err); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	res, err := y.Fetcher.Fetch(ctx, c.URL, c.ETag, c.LastModified)
	if err != nil {
		return fail(fmt.Errorf("fetch: %w", err))
	}
	if res.NotModified {
		return y.Store.RecordExternalUnchanged(ctx, c)
	}
	// Floating times (no zone in the file, no X-WR-TIMEZONE) are read in
	// the owning organisation's zone, as an import by it would read them.
	var zone *time.Location
	if c.OrganizationID != nil {
		if zone, err = y.Store.ImportZone(ctx, models.Ref(strconv.FormatInt(*c.OrganizationID, 10)), ""); err != nil {
			return fail(fmt.Errorf("zone of the owning organisation: %w", err))
		}
	}
	parsed, err := calendar.ParseImport(bytes.NewReader(res.Body), calendar.ImportOptions{DefaultZone: zone, Limits: y.Limits})
	if err != nil {
		return fail(parseFailure(err))
	}
	now := y.Store.Now()
	from, to := now.Add(-24*time.Hour), now.Add(y.Store.Limits().Horizon)
	var spans []planning.Span
	for _, ev := range parsed.Events {
		if ev.Status == "cancelled" {
			continue
		}
		end := ev.End
		if !end.After(ev.Start) {
			continue // occupies no time (RFC 5545: no DTEND, no DURATION)
		}
		if end.Sub(ev.Start) > models.MaxActivitySpan {
			// Such a block would widen every occupancy range query for
			// good; activities are refused the same length.
			y.Log.Warn("external event too long; skipped", "calendar", c.ID, "uid", ev.UID, "line", ev.Line)
			continue
		}
		occs, err := planning.Expand(ev.Recurrence(end, ev.TimeZone), from, to, now, y.Store.Limits())
		if err != nil {
			y.Log.Warn("external event not expanded", "calendar", c.ID, "uid", ev.UID, "line", ev.Line, "error", err)
			continue
		}
		for _, o := range occs {
			spans = append(spans, planning.Span{Start: o.Start, End: o.End})
		}
	}
	return y.Store.ReplaceExternalBusy(ctx, c, spans, res.ETag, res.LastModified, len(parsed.Events))
}

// parseFailure says why a fetched calendar could not be read without
// quoting it: the subscription's owner sees the reason, and a URL that
// points at an internal page must not become a way to read that page.
func parseFailure(err error) error {
	var ie *calendar.ImportError
	if errors.As(err, &ie) && ie.Line > 0 {
		return fmt.Errorf("parse: the response is not a usable iCalendar file (problem at line %d)", ie.Line)
	}
	return errors.New("parse: the response is not a usable iCalendar file")
}
