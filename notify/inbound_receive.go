package notify

import (
	"context"
	"errors"
	"log/slog"
)

// receiver is the one path of a received message, whichever door it came
// in by (the SMTP listener or the IMAP poller): find its calendar parts,
// hand them to the handler, count and log the result. The door only
// translates the answer: 250/550/451 for SMTP, \Seen or left unseen for
// IMAP.
type receiver struct {
	door   string
	handle InboundHandler
	log    *slog.Logger
	// outcome counts each message by result (recorded, or the reason of
	// a refusal or a failure).
	outcome func(result string)
}

func newReceiver(door string, handle InboundHandler, log *slog.Logger, outcome func(result string)) receiver {
	if outcome == nil {
		outcome = func(string) {}
	}
	return receiver{door: door, handle: handle, log: log, outcome: outcome}
}

// receive records one raw message. It returns nil once the answer is
// committed, a *Refusal for a message that will never be recorded (its
// Detail is fit to tell the sender), and any other error for a failure
// worth retrying.
func (r receiver) receive(ctx context.Context, raw []byte) error {
	if len(raw) > maxInboundBytes {
		return r.refused(&Refusal{Reason: "too_large", Detail: "message larger than jointcal takes"}, "")
	}
	from, cals, err := calendarParts(raw)
	if err != nil {
		r.outcome("malformed")
		r.log.Warn("inbound message refused", "via", r.door, "reason", "malformed", "error", err)
		return &Refusal{Reason: "malformed", Detail: "not an iTIP reply jointcal can read"}
	}
	if len(cals) == 0 {
		return r.refused(&Refusal{Reason: "no_calendar", Detail: "no calendar part: this address takes only calendar answers"}, from)
	}
	err = r.handle(ctx, from, cals)
	var refusal *Refusal
	switch {
	case err == nil:
		r.outcome("recorded")
		return nil
	case errors.As(err, &refusal):
		return r.refused(refusal, from)
	default:
		r.outcome("failed")
		r.log.Error("inbound reply not recorded", "via", r.door, "from", from, "error", err)
		return err
	}
}

func (r receiver) refused(refusal *Refusal, from string) error {
	r.outcome(refusal.Reason)
	r.log.Warn("inbound reply refused", "via", r.door, "reason", refusal.Reason, "from", from, "detail", refusal.Detail)
	return refusal
}
