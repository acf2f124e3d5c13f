package scheduler

import (
	"context"
	"errors"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/notify"
	"github.com/jointcal/jointcal/storage"
	"github.com/prometheus/client_golang/prometheus"
)

// InboundReplies is the handler of the iTIP listener (notify.Inbound)
// and of the IMAP poller (notify.IMAPPoller):
// the first calendar part of a message that the store records is the
// answer; when none is, the message is refused with the reason of the
// first (clients put the REPLY first and repeat it as an attachment).
// uidHost is the domain of jointcal's UIDs; nudge (if not nil) is called
// after each recorded answer, so the notices it queued leave at once.
func InboundReplies(store *storage.Store, uidHost string, nudge func()) notify.InboundHandler {
	return func(ctx context.Context, from string, calendars [][]byte) error {
		var refused error
		for _, c := range calendars {
			_, err := store.RecordITIP(ctx, from, c, uidHost)
			var rr *models.RefusedReply
			switch {
			case errors.As(err, &rr):
				if refused == nil {
					refused = &notify.Refusal{Reason: rr.Reason, Detail: rr.Detail}
				}
			case err != nil:
				return err
			default:
				// A decline queues notices to the lead's planners: they
				// leave now, as they do after an answer on a page.
				if nudge != nil {
					nudge()
				}
				return nil
			}
		}
		if refused == nil {
			refused = &notify.Refusal{Reason: "no_calendar", Detail: "no calendar part"}
		}
		return refused
	}
}

// NewInboundCounter counts received iTIP messages by result (recorded,
// or why not) as jointcal_inbound_replies_total, registered with reg when
// it is not nil.
func NewInboundCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jointcal_inbound_replies_total",
		Help: "iTIP messages received by the inbound listener or fetched by the IMAP poller, by result: recorded, or the reason they were not (malformed, no_calendar, too_large, unknown_uid, not_participant, from_mismatch, stale_sequence, invalid, failed)."}, []string{"result"})
	if reg != nil {
		reg.MustRegister(c)
	}
	return c
}
