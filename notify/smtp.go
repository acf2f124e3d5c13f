package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// TLS modes of SMTPConfig.TLS, named as JOINTCAL_SMTP_TLS takes them.
const (
	// TLSNone speaks plain SMTP: only for a relay on the same host or a
	// test server. Authentication is refused over it except on loopback.
	TLSNone = "none"
	// TLSStartTLS upgrades the connection with STARTTLS and fails if the
	// server does not offer it (port 587, the default).
	TLSStartTLS = "starttls"
	// TLSImplicit starts TLS before SMTP (port 465, RFC 8314).
	TLSImplicit = "tls"
)

// Authentication mechanisms of SMTPConfig.Auth: the two that mail providers
// and relays offer to a service account.
const (
	AuthPlain = "plain"
	AuthLogin = "login"
)

// DefaultSMTPTimeout bounds dialling and each SMTP exchange when
// SMTPConfig.Timeout is zero: long enough for a slow relay, short enough that
// a hung server does not hold a batch of reminders past their time.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig is how to reach the mail server (JOINTCAL_SMTP_*). The sender
// address is not here: it belongs to each message (Notice.From).
type SMTPConfig struct {
	// Host is the server's name or address; it is also the name the TLS
	// certificate must carry.
	Host string
	// Port is the TCP port; 0 means 25 for TLSNone, 587 for TLSStartTLS and
	// 465 for TLSImplicit.
	Port int
	// TLS is TLSNone, TLSStartTLS or TLSImplicit; "" means TLSStartTLS.
	TLS string
	// Username and Password enable authentication; both or neither.
	Username, Password string
	// Auth is AuthPlain or AuthLogin; "" means AuthPlain when Username is set.
	Auth string
	// HELO is the name sent in EHLO; "" sends the machine's host name.
	HELO string
	// Timeout bounds dialling and every exchange with the server (each
	// message gets a fresh deadline); 0 means DefaultSMTPTimeout.
	Timeout time.Duration
	// InsecureSkipVerify accepts any server certificate. For a test relay
	// with a self-signed certificate only: it makes TLS worthless against an
	// attacker.
	InsecureSkipVerify bool
}

// SMTPSender delivers messages over SMTP with go-mail. Each Send call opens
// one connection for its whole batch (no new TLS handshake and login per
// message), reconnects once when the connection drops before a message was
// transmitted, and closes the connection at the end. Safe for concurrent
// use: concurrent Send calls use separate connections.
type SMTPSender struct {
	cfg       SMTPConfig
	opts      []mail.Option
	tlsConfig *tls.Config
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender checks cfg and returns a sender. It does not connect: the
// mail server may well be down at start, and the outbox retries.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("notify: SMTP host is empty")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	cfg.TLS = strings.ToLower(cfg.TLS)
	defaultPort := map[string]int{TLSNone: mail.DefaultPort, TLSStartTLS: mail.DefaultPortTLS, TLSImplicit: mail.DefaultPortSSL}
	if _, ok := defaultPort[cfg.TLS]; !ok {
		return nil, fmt.Errorf("notify: SMTP TLS mode %q is not %q, %q or %q", cfg.TLS, TLSNone, TLSStartTLS, TLSImplicit)
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort[cfg.TLS]
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("notify: SMTP port %d is not between 1 and 65535", cfg.Port)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("notify: SMTP timeout %v is negative", cfg.Timeout)
	}
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // opt-in, documented
	opts := []mail.Option{
		mail.WithPort(cfg.Port),
		mail.WithTimeout(cfg.Timeout),
		mail.WithTLSConfig(tlsConfig),
	}
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		// The handshake happens in dial; WithSSL stops go-mail from also
		// attempting STARTTLS inside the TLS session.
		opts = append(opts, mail.WithSSL())
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, fmt.Errorf("notify: SMTP username %q and password must be set together", cfg.Username)
	}
	if cfg.Username != "" {
		if cfg.Auth == "" {
			cfg.Auth = AuthPlain
		}
		var authType mail.SMTPAuthType
		switch strings.ToLower(cfg.Auth) {
		case AuthPlain:
			authType = mail.SMTPAuthPlain
		case AuthLogin:
			authType = mail.SMTPAuthLogin
		default:
			return nil, fmt.Errorf("notify: SMTP auth mechanism %q is not %q or %q", cfg.Auth, AuthPlain, AuthLogin)
		}
		if cfg.TLS == TLSNone && !isLoopback(cfg.Host) {
			return nil, fmt.Errorf("notify: SMTP authentication with TLS mode %q to %s would send the password in clear; use %q or %q", TLSNone, cfg.Host, TLSStartTLS, TLSImplicit)
		}
		opts = append(opts, mail.WithSMTPAuth(authType), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	} else if cfg.Auth != "" {
		return nil, fmt.Errorf("notify: SMTP auth mechanism %q is set but no username", cfg.Auth)
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}
	s := &SMTPSender{cfg: cfg, opts: opts, tlsConfig: tlsConfig}
	if _, err := s.client(func(context.Context, string, string) (net.Conn, error) { return nil, errors.ErrUnsupported }); err != nil {
		return nil, fmt.Errorf("notify: SMTP configuration for %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	return s, nil
}

// client builds a go-mail client that dials through dial. A client per batch
// lets the batch own its connection (for cancellation and deadlines) while
// go-mail does the greeting, STARTTLS and AUTH.
func (s *SMTPSender) client(dial mail.DialContextFunc) (*mail.Client, error) {
	return mail.NewClient(s.cfg.Host, append(s.opts[:len(s.opts):len(s.opts)], mail.WithDialContextFunc(dial))...)
}

// addr is host:port for messages.
func (s *SMTPSender) addr() string {
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
}

// isLoopback reports whether host is this machine, where a password in
// clear never crosses a network.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers msgs in order over one connection and returns one error per
// message: nil when the server accepted it, else a *SendError (see
// IsPermanent). A rejected recipient does not stop the others. When the
// server cannot be reached, every message gets the connection error. When
// ctx ends, the message in flight is abandoned and the rest are not tried.
func (s *SMTPSender) Send(ctx context.Context, msgs []*Message) []error {
	return collect(ctx, s, msgs)
}

// SendEach is Send reporting each message's outcome to done as soon as the
// server has answered for it, so the caller can record an accepted message
// before the next one goes out.
func (s *SMTPSender) SendEach(ctx context.Context, msgs []*Message, done func(i int, err error)) {
	b := &batch{s: s}
	mc, err := s.client(b.dial)
	if err != nil {
		for i, m := range msgs {
			if se := checkMessage(m); se != nil {
				done(i, se)
			} else {
				done(i, newSendError(m, StageConnect, 0, err))
			}
		}
		return
	}
	b.mc = mc
	stop := context.AfterFunc(ctx, b.abort)
	defer stop()
	defer b.quit()
	for i, m := range msgs {
		if se := checkMessage(m); se != nil {
			done(i, se)
			continue
		}
		if se := b.deliver(ctx, m); se != nil {
			done(i, se)
			continue
		}
		done(i, nil)
	}
}

// batch is one Send call's connection state.
type batch struct {
	s      *SMTPSender
	mc     *mail.Client
	client *smtp.Client // nil: not connected
	// down is set when the server cannot be reached or keeps dropping the
	// connection; the rest of the batch fails fast with it instead of
	// hammering the server.
	down *SendError

	mu      sync.Mutex
	conn    net.Conn // the live connection, for deadlines and abort
	aborted bool
}

// dial is go-mail's dialer for this batch: TCP (and the TLS handshake for
// implicit TLS), then a deadline that covers the greeting, STARTTLS and AUTH,
// which go-mail would otherwise wait for without limit.
func (b *batch) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: b.s.cfg.Timeout}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if b.s.cfg.TLS == TLSImplicit {
		tc := tls.Client(conn, b.s.tlsConfig)
		hctx, cancel := context.WithTimeout(ctx, b.s.cfg.Timeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.aborted {
		_ = conn.Close()
		return nil, context.Canceled
	}
	b.conn = conn
	if err := conn.SetDeadline(time.Now().Add(b.s.cfg.Timeout)); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// abort runs when the Send context ends: a deadline in the past fails the
// exchange in progress at once, whatever it is waiting for.
func (b *batch) abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.aborted = true
	if b.conn != nil {
		_ = b.conn.SetDeadline(time.Unix(1, 0))
	}
}

// extendDeadline gives the next message a full Timeout.
func (b *batch) extendDeadline() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.aborted {
		return context.Canceled
	}
	return b.conn.SetDeadline(time.Now().Add(b.s.cfg.Timeout))
}

// drop discards a connection that can no longer be trusted.
func (b *batch) drop() {
	if b.client != nil {
		_ = b.client.Close()
		b.client = nil
	}
	b.mu.Lock()
	if b.conn != nil {
		_ = b.conn.Close()
		b.conn = nil
	}
	b.mu.Unlock()
}

// quit ends the session politely (QUIT) and closes the connection.
func (b *batch) quit() {
	if b.client != nil && b.extendDeadline() == nil {
		_ = b.client.Quit()
	}
	b.drop()
}

// connect opens the batch's connection; on failure it marks the batch down.
func (b *batch) connect(ctx context.Context, m *Message) *SendError {
	c, err := b.mc.DialToSMTPClientWithContext(ctx)
	if err != nil {
		b.drop() // go-mail leaves the connection open when EHLO or STARTTLS fails
		if ctx.Err() != nil {
			return newSendError(m, StageCanceled, 0, ctx.Err())
		}
		b.down = newSendError(m, StageConnect, replyCode(err), fmt.Errorf("connecting to %s: %w", b.s.addr(), err))
		return b.down
	}
	b.client = c
	return nil
}

// deliver sends one message, reconnecting once if the connection turns out
// to be dead before the message was transmitted.
func (b *batch) deliver(ctx context.Context, m *Message) *SendError {
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return newSendError(m, StageCanceled, 0, err)
		}
		if b.down != nil {
			return newSendError(m, b.down.Stage, b.down.Code, b.down.Err)
		}
		if b.client == nil {
			if se := b.connect(ctx, m); se != nil {
				return se
			}
		}
		se, retry := b.transact(m)
		if se == nil {
			return nil
		}
		if ctx.Err() != nil {
			// Keep the stage and Uncertain: the outbox must still learn
			// that the message may have been accepted.
			se.Err = fmt.Errorf("%w (%v)", ctx.Err(), se.Err)
			return se
		}
		if !retry {
			return se
		}
		if attempt == 2 {
			// Two fresh connections died under the same message: the
			// server is not taking mail now.
			b.down = se
			return se
		}
	}
}

// transact runs one SMTP transaction. retry reports that the connection died
// before the message was transmitted, so resending it on a new connection
// cannot duplicate it.
func (b *batch) transact(m *Message) (se *SendError, retry bool) {
	if err := b.extendDeadline(); err != nil {
		b.drop()
		return newSendError(m, StageMail, 0, err), true
	}
	c := b.client
	if err := c.Mail("<" + m.From + ">"); err != nil {
		return b.failed(m, StageMail, err, false)
	}
	if err := c.Rcpt("<" + m.To + ">"); err != nil {
		return b.failed(m, StageRcpt, err, false)
	}
	w, err := c.Data()
	if err != nil {
		return b.failed(m, StageData, err, false)
	}
	if _, err := w.Write(m.Bytes); err != nil {
		return b.failed(m, StageData, err, false)
	}
	// Close sends the final dot and reads the verdict: from here on a lost
	// reply leaves the outcome unknown.
	if err := w.Close(); err != nil {
		return b.failed(m, StageData, err, true)
	}
	return nil, false
}

// failed classifies a transaction error. A reply from the server is a
// verdict on this message (the connection stays usable after RSET, except
// after 421, which announces that the server is closing it). No reply means
// the connection is dead: the message may be retried on a new one unless its
// content had been sent in full.
func (b *batch) failed(m *Message, stage string, err error, contentSent bool) (*SendError, bool) {
	se := newSendError(m, stage, 0, err)
	var te *textproto.Error
	if errors.As(err, &te) {
		se.Code = te.Code
		switch {
		case te.Code == 421:
			b.drop()
		case !contentSent:
			if rerr := b.client.Reset(); rerr != nil {
				b.drop()
			}
		}
		return se, false
	}
	b.drop()
	if contentSent {
		se.Uncertain = true
		return se, false
	}
	return se, true
}

func newSendError(m *Message, stage string, code int, err error) *SendError {
	return &SendError{MessageID: m.ID, To: m.To, Stage: stage, Code: code, Err: err}
}

// replyCode extracts an SMTP reply code from err, 0 when there is none.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
