package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// InboundHandler records the calendar parts of one received message, sent
// by from (the address of its From header). It returns nil only once the
// answer is committed: the listener acknowledges the message with 250
// after that and not before, so a crash loses nothing the sender was told
// was delivered. A *Refusal is a message that will never be recorded
// (550); any other error is transient (451, the sending server retries).
type InboundHandler func(ctx context.Context, from string, calendars [][]byte) error

// Refusal is a permanent "no" to a received message, with a stable
// reason for the metrics.
type Refusal struct {
	Reason, Detail string
}

func (e *Refusal) Error() string { return e.Reason + ": " + e.Detail }

// maxInboundBytes bounds one received message: an iTIP reply is a few
// kilobytes, Outlook's with its HTML and VTIMEZONE a few dozen.
const maxInboundBytes = 2 << 20

// Inbound is the SMTP (or LMTP) listener of iTIP replies: the mail server
// of jointcal's reply address (JOINTCAL_REPLY_ADDRESS) delivers to it.
// It is meant to sit behind that server, which authenticates senders
// (SPF, DKIM, DMARC) and relays to jointcal on a private address; it
// offers no authentication and no TLS of its own.
type Inbound struct {
	srv  *gosmtp.Server
	recv receiver
}

// NewInbound builds a listener for addr (host:port) that hands each
// message's calendar parts to handle; outcome, when set, is told the
// result of each message.
func NewInbound(addr string, handle InboundHandler, log *slog.Logger, outcome func(result string)) *Inbound {
	in := &Inbound{recv: newReceiver("smtp", handle, log, outcome)}
	s := gosmtp.NewServer(in)
	s.Addr, s.Domain = addr, "jointcal"
	s.MaxMessageBytes, s.MaxRecipients = maxInboundBytes, 10
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	in.srv = s
	return in
}

// Serve accepts connections on l until Close.
func (in *Inbound) Serve(l net.Listener) error {
	err := in.srv.Serve(l)
	if errors.Is(err, gosmtp.ErrServerClosed) {
		return nil
	}
	return err
}

// ListenAndServe listens on the configured address and serves.
func (in *Inbound) ListenAndServe() error {
	l, err := net.Listen("tcp", in.srv.Addr)
	if err != nil {
		return fmt.Errorf("notify: inbound listener on %s: %w", in.srv.Addr, err)
	}
	return in.Serve(l)
}

// Shutdown stops accepting and waits for the messages being received.
func (in *Inbound) Shutdown(ctx context.Context) error { return in.srv.Shutdown(ctx) }

// NewSession implements gosmtp.Backend.
func (in *Inbound) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &inboundSession{in: in}, nil
}

type inboundSession struct{ in *Inbound }

func (s *inboundSession) Reset()                                 {}
func (s *inboundSession) Logout() error                          { return nil }
func (s *inboundSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *inboundSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }

// Data reads one message and answers only after the handler: 250 once the
// answer is committed, 550 for a refusal, 451 for a failure.
func (s *inboundSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(r, maxInboundBytes+1))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = s.in.recv.receive(ctx, raw)
	var refusal *Refusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refusal):
		return refusalReply(refusal.Reason)
	default:
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
}

// refusalReply is the 550 answer to a refused message: what is wrong
// with the message itself (5.6.0, 5.3.4), or that the answer it carries
// is not accepted (5.7.1), with the reason only; the details stay in the
// log.
func refusalReply(reason string) *gosmtp.SMTPError {
	switch reason {
	case "malformed":
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "not an iTIP reply jointcal can read"}
	case "no_calendar":
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "no calendar part: this address takes only calendar answers"}
	case "too_large":
		return &gosmtp.SMTPError{Code: 552, EnhancedCode: gosmtp.EnhancedCode{5, 3, 4}, Message: "message too large for an iTIP reply"}
	}
	return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "answer not accepted (" + reason + ")"}
}

// calendarParts returns the address of a message's From header and its
// text/calendar (or application/ics) parts, decoded, wherever they sit
// in the MIME tree: Outlook sends the REPLY as the text/calendar
// alternative, Gmail adds it as an attachment too, Apple Mail as an
// attachment only.
func calendarParts(raw []byte) (string, [][]byte, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", nil, fmt.Errorf("reading the message: %w", err)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		return "", nil, fmt.Errorf("the From header %q: %w", msg.Header.Get("From"), err)
	}
	var out [][]byte
	seen := map[string]bool{}
	err = walkParts(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0, func(b []byte) {
		if !seen[string(b)] { // the same REPLY as alternative and attachment
			seen[string(b)] = true
			out = append(out, b)
		}
	})
	return from.Address, out, err
}

func walkParts(contentType, encoding string, body io.Reader, depth int, found func([]byte)) error {
	if depth > 8 {
		return errors.New("MIME parts nested too deep")
	}
	if contentType == "" {
		contentType = "text/plain"
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("Content-Type %q: %w", contentType, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading a %s part: %w", media, err)
			}
			if err := walkParts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1, found); err != nil {
				return err
			}
		}
	}
	if media != "text/calendar" && media != "application/ics" {
		return nil
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decoding the %s part: %w", media, err)
	}
	found(b)
	return nil
}
