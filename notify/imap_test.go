package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/jointcal/jointcal/config"
)

const testIMAPPassword = "imap-test-s3cret"

type quietIMAP struct{}

func (quietIMAP) Printf(string, ...any) {}

// imapServer runs an in-memory IMAP server on loopback, with implicit TLS
// (mode tls), STARTTLS (starttls) or neither (none), holding one message
// in the INBOX of replies.
func imapServer(t *testing.T, mode config.IMAPTLS) (addr string, roots *x509.CertPool) {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("replies", testIMAPPassword)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	msg := "From: ben@nato.example\r\nSubject: hello\r\n\r\nCan we talk?\r\n"
	if _, err := u.Append("INBOX", literal{strings.NewReader(msg), int64(len(msg))}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	certs := selfSignedTLS(t)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: quietIMAP{},
	}
	var ln net.Listener
	var err error
	switch mode {
	case config.IMAPTLSImplicit:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", certs)
	case config.IMAPTLSStartTLS:
		opts.TLSConfig = certs // and no login before STARTTLS
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		opts.InsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(opts)
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	leaf, err := x509.ParseCertificate(certs.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(leaf)
	return ln.Addr().String(), roots
}

// literal is a message to append.
type literal struct {
	io.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// TestIMAPPollerConnects: the poller logs in over implicit TLS, STARTTLS
// or plain IMAP as configured, verifying the server's certificate, and
// takes the message in the mailbox through the handler; a wrong
// password, an untrusted certificate, a server without STARTTLS or a
// missing mailbox fail the poll with a message saying what failed, and
// never the password.
func TestIMAPPollerConnects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		server   config.IMAPTLS
		client   config.IMAPTLS
		password string
		mailbox  string
		untrust  bool
		wantErr  string
	}{
		{name: "implicit TLS", server: config.IMAPTLSImplicit, client: config.IMAPTLSImplicit},
		{name: "STARTTLS", server: config.IMAPTLSStartTLS, client: config.IMAPTLSStartTLS},
		{name: "plain on loopback", server: config.IMAPTLSNone, client: config.IMAPTLSNone},
		{name: "wrong password", server: config.IMAPTLSImplicit, client: config.IMAPTLSImplicit, password: "not-the-password", wantErr: "log in as replies"},
		{name: "untrusted certificate", server: config.IMAPTLSImplicit, client: config.IMAPTLSImplicit, untrust: true, wantErr: "with TLS"},
		{name: "no STARTTLS offered", server: config.IMAPTLSNone, client: config.IMAPTLSStartTLS, wantErr: "STARTTLS"},
		{name: "missing mailbox", server: config.IMAPTLSImplicit, client: config.IMAPTLSImplicit, mailbox: "Replies", wantErr: "select Replies"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, roots := imapServer(t, tc.server)
			if tc.untrust {
				roots = x509.NewCertPool()
			}
			cfg := config.InboundIMAP{Addr: addr, Username: "replies", Password: testIMAPPassword, Mailbox: "INBOX", TLS: tc.client, Interval: time.Minute}
			if tc.password != "" {
				cfg.Password = config.Secret(tc.password)
			}
			if tc.mailbox != "" {
				cfg.Mailbox = tc.mailbox
			}
			var mu sync.Mutex
			var froms []string
			handle := func(_ context.Context, from string, _ [][]byte) error {
				mu.Lock()
				defer mu.Unlock()
				froms = append(froms, from)
				return nil
			}
			var logged bytes.Buffer
			res, err := NewIMAPPoller(cfg, handle, slog.New(slog.NewTextHandler(&logged, nil)), nil, roots).Poll(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("poll: %v, want an error saying %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), testIMAPPassword) || strings.Contains(err.Error(), "not-the-password") {
					t.Fatalf("the error carries the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The one message has no calendar part: refused, and marked.
			if res != (PollResult{Refused: 1}) || len(froms) != 0 {
				t.Fatalf("poll %+v, handler saw %v", res, froms)
			}
			if !strings.Contains(logged.String(), "no_calendar") || strings.Contains(logged.String(), testIMAPPassword) {
				t.Fatalf("log: %s", logged.String())
			}
		})
	}
}

// TestIMAPPollerStopsWithItsContext: a cancelled context ends a poll
// stuck on a server that never answers.
func TestIMAPPollerStopsWithItsContext(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepts, greets, then says nothing more
			_, _ = c.Write([]byte("* OK ready\r\n"))
		}
	}()
	cfg := config.InboundIMAP{Addr: ln.Addr().String(), Username: "replies", Password: testIMAPPassword, Mailbox: "INBOX", TLS: config.IMAPTLSNone, Interval: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := NewIMAPPoller(cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, nil).Poll(ctx)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a poll of a silent server ended without error")
	}
}
