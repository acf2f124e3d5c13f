package notify

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
)

// Sender delivers composed messages. The scheduler hands it the batch it has
// claimed from the outbox; the Sender reports each message's outcome to
// done (nil: accepted) as soon as it is known, so that the outbox records
// an accepted message before the next one is sent and a crash can repeat
// at most the one in flight. One rejected recipient never stops the
// others. Implementations reuse one connection for a batch and are safe
// for concurrent use.
type Sender interface {
	SendEach(ctx context.Context, msgs []*Message, done func(i int, err error))
}

// collect runs SendEach and gathers one error per message.
func collect(ctx context.Context, s Sender, msgs []*Message) []error {
	errs := make([]error, len(msgs))
	s.SendEach(ctx, msgs, func(i int, err error) { errs[i] = err })
	return errs
}

// Stages of a delivery, as SendError.Stage. They matter for IsPermanent: a
// 5xx reply to the transaction of one message is a verdict on that message;
// one while connecting (a failed login, a refused greeting) is about the
// configuration and clears when it is fixed.
const (
	// StageMessage: the message itself is unusable (nil, no recipient);
	// retrying cannot help.
	StageMessage = "message"
	// StageConnect covers dialling, the greeting, STARTTLS and AUTH.
	StageConnect = "connect"
	// StageMail, StageRcpt and StageData are the SMTP transaction's
	// commands; StageData includes transferring the content and the reply to
	// the final dot.
	StageMail = "MAIL FROM"
	StageRcpt = "RCPT TO"
	StageData = "DATA"
	// StageWrite is writing a DirSink file.
	StageWrite = "write"
	// StageCanceled marks a message not attempted, or abandoned, because
	// the Send context ended.
	StageCanceled = "canceled"
)

// SendError is why one message was not delivered. The outbox stores Error()
// as the row's last error and calls IsPermanent to choose between failed and
// retry.
type SendError struct {
	// MessageID and To identify the message ("" for a nil message).
	MessageID, To string
	// Stage is where delivery failed (StageConnect, StageRcpt, ...).
	Stage string
	// Code is the SMTP reply code, 0 when there was no reply (network
	// error, timeout, cancelled context).
	Code int
	// Uncertain is set when the connection failed after the whole message
	// had been transmitted and before the server's reply arrived: the server
	// may have accepted it. Retrying can then deliver it twice; this is the
	// one duplicate window, at most one message per connection.
	Uncertain bool
	// Err is the underlying error.
	Err error
}

// Error says which message failed, for whom, where and why; the outbox
// stores it as the row's last error.
func (e *SendError) Error() string {
	s := fmt.Sprintf("notify: delivering message <%s> to %s failed at %s: %v", e.MessageID, e.To, e.Stage, e.Err)
	if e.Uncertain {
		s += " (the server may have accepted it before the connection failed)"
	}
	return s
}

// Unwrap exposes the cause, so errors.Is finds context.Canceled or a
// *textproto.Error reply.
func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports whether retrying is pointless: the server rejected this
// recipient (RCPT TO) or this content (DATA) with a 5xx reply, or the message
// itself is unusable. A 5xx reply to MAIL FROM is not permanent: the sender
// address is the same for every message, so such a rejection ("sender not
// allowed", "authentication required") is a configuration fault that would
// otherwise fail every pending reminder at once.
func (e *SendError) Permanent() bool {
	switch e.Stage {
	case StageMessage:
		return true
	case StageRcpt, StageData:
		return e.Code >= 500 && e.Code <= 599
	}
	return false
}

// IsPermanent reports whether a delivery error is final: true for a 5xx
// rejection of the recipient or the content (the outbox marks the row
// failed), false for 4xx replies, network errors, a server that is down, a
// failed login and cancelled contexts (the outbox retries with backoff). A
// 5xx reply while connecting, logging in or to MAIL FROM is not permanent: it
// is about the configuration, and every reminder would otherwise be lost to
// one wrong password (see SendError.Permanent).
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500 && te.Code <= 599
	}
	return false
}

// checkMessage rejects a message that no Sender can deliver.
func checkMessage(m *Message) *SendError {
	switch {
	case m == nil:
		return &SendError{Stage: StageMessage, Err: errors.New("nil message")}
	case m.To == "" || m.From == "" || m.ID == "" || len(m.Bytes) == 0:
		return &SendError{MessageID: m.ID, To: m.To, Stage: StageMessage,
			Err: fmt.Errorf("message is incomplete (From %q, To %q, ID %q, %d bytes); build it with Compose", m.From, m.To, m.ID, len(m.Bytes))}
	case strings.ContainsAny(m.From+m.To, "\r\n<> "):
		return &SendError{MessageID: m.ID, To: m.To, Stage: StageMessage,
			Err: fmt.Errorf("envelope address From %q or To %q is not a bare address", m.From, m.To)}
	}
	return nil
}
