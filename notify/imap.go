package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/jointcal/jointcal/config"
)

// imapBatch is how many messages one FETCH brings: enough to amortise the
// round trip, few enough that a batch of large Outlook replies stays a
// few megabytes in memory.
const imapBatch = 20

// imapDialTimeout bounds the TCP connection and TLS handshake of a poll;
// the IMAP client bounds each command itself.
const imapDialTimeout = 30 * time.Second

// IMAPPoller is the other door of the iTIP replies: where the mail server
// of the reply address keeps them in a mailbox instead of relaying them
// to the SMTP listener, it fetches the unseen messages every interval and
// hands each to the same path as the listener (one parser, one handler,
// one counter).
//
// A message is marked \Seen only after the handler returned: recorded,
// or refused for good (then also \Flagged, so a person reading the
// mailbox finds the refused ones at a glance; nothing is moved or
// deleted). A message whose handling failed for a passing reason (the
// database) stays unseen and is tried again at the next poll. A process
// that dies mid-poll leaves unseen what it had not marked, and the store
// records the same answer twice as once: nothing is lost, nothing is
// doubled.
type IMAPPoller struct {
	cfg   config.InboundIMAP
	recv  receiver
	log   *slog.Logger
	roots *x509.CertPool
}

// NewIMAPPoller builds a poller of the mailbox cfg names that hands each
// message's calendar parts to handle; outcome, when set, is told the
// result of each message (as for the listener). roots are the authorities
// trusted for the server's certificate; nil means the system's.
func NewIMAPPoller(cfg config.InboundIMAP, handle InboundHandler, log *slog.Logger, outcome func(result string), roots *x509.CertPool) *IMAPPoller {
	return &IMAPPoller{cfg: cfg, recv: newReceiver("imap", handle, log, outcome), log: log, roots: roots}
}

// PollResult says what one poll did, for logs and tests.
type PollResult struct {
	// Recorded, Refused and Failed count the unseen messages found by
	// result; Failed ones stay unseen.
	Recorded, Refused, Failed int
}

// Run polls at once, then every interval, until ctx ends. A poll that
// fails (server unreachable, login refused) is logged and tried again at
// the next interval.
func (p *IMAPPoller) Run(ctx context.Context) {
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		res, err := p.Poll(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			p.log.Error("inbound mailbox not polled", "address", p.cfg.Addr, "mailbox", p.cfg.Mailbox, "error", err)
		case res != PollResult{}:
			p.log.Info("inbound mailbox polled", "mailbox", p.cfg.Mailbox, "recorded", res.Recorded, "refused", res.Refused, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll connects, takes every unseen message of the mailbox through the
// handler and marks those done \Seen, then logs out. Messages already
// handled stay handled when it fails half way.
func (p *IMAPPoller) Poll(ctx context.Context) (PollResult, error) {
	var res PollResult
	c, err := p.connect(ctx)
	if err != nil {
		return res, err
	}
	// Closing the connection is how a cancelled ctx interrupts a command.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		stop()
		c.Close()
	}()
	if err := c.Login(p.cfg.Username, p.cfg.Password.Reveal()).Wait(); err != nil {
		return res, fmt.Errorf("log in as %s: %w", p.cfg.Username, err)
	}
	if _, err := c.Select(p.cfg.Mailbox, nil).Wait(); err != nil {
		return res, fmt.Errorf("select %s: %w", p.cfg.Mailbox, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return res, fmt.Errorf("search the unseen messages of %s: %w", p.cfg.Mailbox, err)
	}
	uids := found.AllUIDs()
	for len(uids) > 0 {
		n := min(imapBatch, len(uids))
		if err := p.batch(ctx, c, uids[:n], &res); err != nil {
			return res, err
		}
		uids = uids[n:]
	}
	if err := c.Logout().Wait(); err != nil && ctx.Err() == nil {
		p.log.Debug("inbound mailbox logout", "error", err)
	}
	return res, ctx.Err()
}

// wholeMessage is the section a poll fetches: the whole message, without
// setting \Seen (that comes after the handler), and no more than the
// listener would take.
func wholeMessage() *imap.FetchItemBodySection {
	return &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: maxInboundBytes + 1}}
}

// batch fetches some messages and takes each through the handler.
func (p *IMAPPoller) batch(ctx context.Context, c *imapclient.Client, uids []imap.UID, res *PollResult) error {
	body := wholeMessage()
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		return fmt.Errorf("fetch %d messages of %s: %w", len(uids), p.cfg.Mailbox, err)
	}
	for _, m := range msgs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		raw := m.FindBodySection(body)
		if raw == nil || m.UID == 0 {
			// Expunged meanwhile by someone else, or a server that sent
			// less than asked: nothing to decide on, nothing to mark.
			continue
		}
		hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := p.recv.receive(hctx, raw)
		cancel()
		flags := []imap.Flag{imap.FlagSeen}
		var refusal *Refusal
		switch {
		case err == nil:
			res.Recorded++
		case errors.As(err, &refusal):
			res.Refused++
			flags = append(flags, imap.FlagFlagged)
		default:
			res.Failed++
			continue // unseen: the next poll tries again
		}
		if err := c.Store(imap.UIDSetNum(m.UID), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close(); err != nil {
			return fmt.Errorf("mark message %d of %s seen: %w", m.UID, p.cfg.Mailbox, err)
		}
	}
	return nil
}

// connect opens the connection the TLS setting asks for.
func (p *IMAPPoller) connect(ctx context.Context) (*imapclient.Client, error) {
	d := &net.Dialer{Timeout: imapDialTimeout}
	tlsConfig := &tls.Config{ServerName: p.cfg.Host(), RootCAs: p.roots, MinVersion: tls.VersionTLS12}
	opts := &imapclient.Options{TLSConfig: tlsConfig}
	switch p.cfg.TLS {
	case config.IMAPTLSImplicit:
		tlsConfig.NextProtos = []string{"imap"}
		conn, err := (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", p.cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("connect to %s with TLS: %w", p.cfg.Addr, err)
		}
		return imapclient.New(conn, opts), nil
	case config.IMAPTLSStartTLS:
		conn, err := d.DialContext(ctx, "tcp", p.cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", p.cfg.Addr, err)
		}
		c, err := imapclient.NewStartTLS(conn, opts)
		if err != nil {
			return nil, fmt.Errorf("STARTTLS with %s: %w", p.cfg.Addr, err)
		}
		return c, nil
	case config.IMAPTLSNone:
		conn, err := d.DialContext(ctx, "tcp", p.cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", p.cfg.Addr, err)
		}
		return imapclient.New(conn, opts), nil
	}
	return nil, fmt.Errorf("IMAP TLS mode %q is none of tls, starttls, none", p.cfg.TLS)
}
