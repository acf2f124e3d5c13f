package notify

import (
	"context"
	"errors"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// TestSMTPSenderDelivers sends each kind of notice to a real SMTP server on
// loopback and asserts on the bytes it received, parsed the way a mail client
// parses them.
func TestSMTPSenderDelivers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, method, status string
	}{
		{KindReminder, "REQUEST", "STATUS:CONFIRMED"},
		{KindUpdate, "REQUEST", "STATUS:CONFIRMED"},
		{KindCancellation, "CANCEL", "STATUS:CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, serverOptions{})
			n := sampleNotice(t)
			n.Kind = tt.kind
			msg := compose(t, n)
			errs := senderFor(t, srv, nil).Send(context.Background(), []*Message{msg})
			if errs[0] != nil {
				t.Fatalf("Send: %v", errs[0])
			}
			got := srv.messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			if got[0].from != "noreply@example.org" || got[0].to != "anna.berg@example.org" {
				t.Errorf("envelope = %q -> %q, want noreply@example.org -> anna.berg@example.org", got[0].from, got[0].to)
			}
			if !sameBytes(got[0], msg) {
				t.Errorf("received bytes differ from the composed message (%d vs %d bytes)", len(got[0].data), len(msg.Bytes))
			}
			p := parseMessage(t, got[0].data)
			if a, err := p.header.AddressList("To"); err != nil || len(a) != 1 || a[0].Address != "anna.berg@example.org" || a[0].Name != "Anna Berg" {
				t.Errorf("To = %v (%v)", a, err)
			}
			wantPrefix := map[string]string{KindReminder: "Reminder: ", KindUpdate: "Updated: ", KindCancellation: "Cancelled: "}[tt.kind]
			if want := wantPrefix + "NAC–PSC informal meeting — Tue 3 Mar 04:00 (New York)"; p.subject != want {
				t.Errorf("subject = %q, want %q", p.subject, want)
			}
			if !strings.Contains(p.text, "NAC–PSC informal meeting") || !strings.Contains(p.html, "NAC–PSC informal meeting") {
				t.Errorf("text or html part lacks the title")
			}
			if p.calParam["method"] != tt.method {
				t.Errorf("calendar Content-Type %q: method %q, want %q", p.calCT, p.calParam["method"], tt.method)
			}
			for _, want := range []string{"METHOD:" + tt.method + "\r\n", "UID:42@jointcal.example.org\r\n", "SEQUENCE:3\r\n", tt.status + "\r\n"} {
				if !strings.Contains(p.cal, want) {
					t.Errorf("calendar part lacks %q:\n%s", want, p.cal)
				}
			}
			if p.att != p.cal {
				t.Errorf("invite.ics attachment differs from the text/calendar part")
			}
			if id := p.header.Get("Message-ID"); id != "<"+msg.ID+">" {
				t.Errorf("Message-ID = %q, want <%s>", id, msg.ID)
			}
			if id2 := compose(t, n).ID; id2 != msg.ID {
				t.Errorf("composing the same key twice gave Message-IDs %s and %s", msg.ID, id2)
			}
		})
	}
}

// TestSMTPSenderBatchUsesOneConnection checks that a burst is one SMTP
// session, not one per message.
func TestSMTPSenderBatchUsesOneConnection(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{})
	msgs := batchOf(t, 25)
	for i, err := range senderFor(t, srv, nil).Send(context.Background(), msgs) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	got := srv.messages()
	if len(got) != len(msgs) {
		t.Fatalf("server received %d messages, want %d", len(got), len(msgs))
	}
	for i, r := range got {
		if r.to != msgs[i].To || !sameBytes(r, msgs[i]) {
			t.Errorf("message %d: got %s, want %s in order with identical bytes", i, r.to, msgs[i].To)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections for one batch, want 1", n)
	}
}

// TestSMTPSenderRejectedRecipient: a 550 for one recipient fails that message
// only, permanently; a 450 fails it for a retry; the others are delivered
// over the same connection.
func TestSMTPSenderRejectedRecipient(t *testing.T) {
	t.Parallel()
	msgs := batchOf(t, 4)
	srv := startServer(t, serverOptions{rejectFor: map[string]*gosmtp.SMTPError{
		msgs[1].To: {Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"},
		msgs[2].To: {Code: 450, EnhancedCode: gosmtp.EnhancedCode{4, 2, 0}, Message: "Greylisted, try later"},
	}})
	errs := senderFor(t, srv, nil).Send(context.Background(), msgs)
	want := []struct {
		fail      bool
		permanent bool
		code      int
	}{{false, false, 0}, {true, true, 550}, {true, false, 450}, {false, false, 0}}
	for i, w := range want {
		if (errs[i] != nil) != w.fail {
			t.Fatalf("message %d: error %v, want failure %v", i, errs[i], w.fail)
		}
		if errs[i] == nil {
			continue
		}
		if IsPermanent(errs[i]) != w.permanent {
			t.Errorf("message %d: IsPermanent(%v) = %v, want %v", i, errs[i], !w.permanent, w.permanent)
		}
		var se *SendError
		if !errors.As(errs[i], &se) || se.Code != w.code || se.Stage != StageRcpt || se.To != msgs[i].To || se.MessageID != msgs[i].ID {
			t.Errorf("message %d: error %#v, want a SendError at %s with code %d for %s", i, errs[i], StageRcpt, w.code, msgs[i].To)
		}
	}
	got := byRecipient(srv.messages())
	if len(got) != 2 || got[msgs[0].To] != 1 || got[msgs[3].To] != 1 {
		t.Errorf("server received %v, want exactly messages 0 and 3", got)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: a rejection must not cost a reconnect", n)
	}
}

// TestSMTPSenderServerDownThenUp: with the server down every message fails
// for a retry; once it is up, the retry delivers each message once.
func TestSMTPSenderServerDownThenUp(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // the port is now closed: connection refused
	host, port, _ := net.SplitHostPort(addr)
	down := &testServer{host: host}
	down.port = mustAtoi(t, port)
	snd := senderFor(t, down, nil)
	msgs := batchOf(t, 3)

	for i, err := range snd.Send(context.Background(), msgs) {
		var se *SendError
		if err == nil || IsPermanent(err) || !errors.As(err, &se) || se.Stage != StageConnect {
			t.Errorf("server down, message %d: error %v, want a non-permanent %s error", i, err, StageConnect)
		}
	}

	srv := startServer(t, serverOptions{addr: addr})
	for i, err := range snd.Send(context.Background(), msgs) {
		if err != nil {
			t.Errorf("server up, message %d: %v", i, err)
		}
	}
	got := byRecipient(srv.messages())
	for _, m := range msgs {
		if got[m.To] != 1 {
			t.Errorf("%s received %d times, want 1", m.To, got[m.To])
		}
	}
}

// TestSMTPSenderReconnects: when the server drops the connection before a
// message is transmitted, the sender reconnects and the batch completes with
// every message delivered once.
func TestSMTPSenderReconnects(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{dropAtMail: func(conn, n int) bool { return conn == 1 && n == 3 }})
	msgs := batchOf(t, 5)
	for i, err := range senderFor(t, srv, nil).Send(context.Background(), msgs) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	got := srv.messages()
	if len(got) != 5 {
		t.Fatalf("server received %d messages, want 5", len(got))
	}
	for i, r := range got {
		wantConn := 1
		if i >= 2 {
			wantConn = 2
		}
		if r.to != msgs[i].To || r.conn != wantConn {
			t.Errorf("message %d: %s over connection %d, want %s over %d", i, r.to, r.conn, msgs[i].To, wantConn)
		}
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestSMTPSenderLostReply: when the connection dies after a message was
// transmitted but before the reply, the message is reported as uncertain
// (not retried in the batch, which could deliver it twice) and the rest of
// the batch goes over a new connection.
func TestSMTPSenderLostReply(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{dropAfterData: func(n int) bool { return n == 2 }})
	msgs := batchOf(t, 4)
	errs := senderFor(t, srv, nil).Send(context.Background(), msgs)
	for i, err := range errs {
		if i == 1 {
			var se *SendError
			if !errors.As(err, &se) || !se.Uncertain || IsPermanent(err) || se.Stage != StageData {
				t.Errorf("message 1: error %#v, want an uncertain, non-permanent %s error", err, StageData)
			}
			continue
		}
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	got := byRecipient(srv.messages())
	for _, m := range msgs {
		if got[m.To] != 1 {
			t.Errorf("%s received %d times, want 1 (message 1 reached the server before its reply was lost)", m.To, got[m.To])
		}
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestSMTPSenderTLSAndAuth covers STARTTLS and implicit TLS with PLAIN and
// LOGIN against a server that allows AUTH only under TLS.
func TestSMTPSenderTLSAndAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     serverOptions
		auth     string
		password string
		wantErr  bool
	}{
		{"starttls plain", serverOptions{startTLS: true, user: "svc", pass: "s3cret"}, AuthPlain, "s3cret", false},
		{"starttls login", serverOptions{startTLS: true, user: "svc", pass: "s3cret"}, AuthLogin, "s3cret", false},
		{"implicit tls plain", serverOptions{implicit: true, user: "svc", pass: "s3cret"}, AuthPlain, "s3cret", false},
		{"implicit tls no auth", serverOptions{implicit: true}, "", "", false},
		{"wrong password", serverOptions{startTLS: true, user: "svc", pass: "s3cret"}, AuthPlain, "nope", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.opts)
			snd := senderFor(t, srv, func(c *SMTPConfig) {
				if tt.password != "" {
					c.Username, c.Password, c.Auth = "svc", tt.password, tt.auth
				}
			})
			msgs := batchOf(t, 2)
			errs := snd.Send(context.Background(), msgs)
			if tt.wantErr {
				for i, err := range errs {
					var se *SendError
					if !errors.As(err, &se) || se.Stage != StageConnect || IsPermanent(err) {
						t.Errorf("message %d: error %v, want a non-permanent %s error", i, err, StageConnect)
					}
				}
				if n := len(srv.messages()); n != 0 {
					t.Errorf("server accepted %d messages without authentication", n)
				}
				return
			}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			got := srv.messages()
			if len(got) != 2 {
				t.Fatalf("server received %d messages, want 2", len(got))
			}
			for _, r := range got {
				if !r.tls || r.user != tt.opts.user {
					t.Errorf("message to %s: tls %v, user %q; want tls and user %q", r.to, r.tls, r.user, tt.opts.user)
				}
			}
		})
	}
}

// TestSMTPSenderTLSFailures: an unverifiable certificate and a server without
// STARTTLS both fail at connect, for a retry after the configuration is fixed.
func TestSMTPSenderTLSFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts serverOptions
		mod  func(*SMTPConfig)
		want string
	}{
		{"self-signed certificate", serverOptions{startTLS: true}, func(c *SMTPConfig) { c.InsecureSkipVerify = false }, "certificate"},
		{"implicit tls self-signed", serverOptions{implicit: true}, func(c *SMTPConfig) { c.InsecureSkipVerify = false }, "certificate"},
		{"no STARTTLS offered", serverOptions{}, func(c *SMTPConfig) { c.TLS = TLSStartTLS }, "STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.opts)
			errs := senderFor(t, srv, tt.mod).Send(context.Background(), batchOf(t, 1))
			var se *SendError
			if !errors.As(errs[0], &se) || se.Stage != StageConnect || IsPermanent(errs[0]) || !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("error %v, want a non-permanent %s error mentioning %q", errs[0], StageConnect, tt.want)
			}
			if n := len(srv.messages()); n != 0 {
				t.Errorf("server accepted %d messages", n)
			}
		})
	}
}

// TestSMTPSenderContext: a cancelled context sends nothing, and a server
// that hangs is abandoned when the context ends, with the in-flight message
// marked uncertain.
func TestSMTPSenderContext(t *testing.T) {
	t.Parallel()
	t.Run("cancelled before", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, serverOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for i, err := range senderFor(t, srv, nil).Send(ctx, batchOf(t, 3)) {
			if !errors.Is(err, context.Canceled) || IsPermanent(err) {
				t.Errorf("message %d: error %v, want context.Canceled, not permanent", i, err)
			}
		}
		if n := len(srv.messages()); n != 0 {
			t.Errorf("server received %d messages", n)
		}
	})
	t.Run("hung server", func(t *testing.T) {
		t.Parallel()
		block := make(chan struct{})
		srv := startServer(t, serverOptions{blockData: block})
		t.Cleanup(func() { close(block) })
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		errs := senderFor(t, srv, nil).Send(ctx, batchOf(t, 2))
		var se *SendError
		if !errors.As(errs[0], &se) || !errors.Is(errs[0], context.DeadlineExceeded) || !se.Uncertain {
			t.Errorf("message 0: error %v, want an uncertain error wrapping context.DeadlineExceeded", errs[0])
		}
		if !errors.Is(errs[1], context.DeadlineExceeded) {
			t.Errorf("message 1: error %v, want context.DeadlineExceeded", errs[1])
		}
	})
}

// TestSendInvalidMessages: unusable messages fail permanently without
// touching the server.
func TestSendInvalidMessages(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{})
	good := batchOf(t, 1)[0]
	bad := *good
	bad.To = "x@example.org>\r\nRCPT TO:<y@example.org"
	msgs := []*Message{nil, {ID: "x@y"}, &bad, good}
	errs := senderFor(t, srv, nil).Send(context.Background(), msgs)
	for i := range 3 {
		if !IsPermanent(errs[i]) {
			t.Errorf("message %d: error %v, want permanent", i, errs[i])
		}
	}
	if errs[3] != nil {
		t.Errorf("valid message after invalid ones: %v", errs[3])
	}
	if got := srv.messages(); len(got) != 1 || got[0].to != good.To {
		t.Errorf("server received %v, want only the valid message", got)
	}
}

func TestNewSMTPSenderValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      SMTPConfig
		wantErr  string
		wantPort int
	}{
		{"defaults to starttls on 587", SMTPConfig{Host: "smtp.example.org"}, "", 587},
		{"implicit tls on 465", SMTPConfig{Host: "smtp.example.org", TLS: "TLS"}, "", 465},
		{"plain on 25", SMTPConfig{Host: "127.0.0.1", TLS: TLSNone}, "", 25},
		{"explicit port", SMTPConfig{Host: "smtp.example.org", Port: 2525}, "", 2525},
		{"loopback auth without tls", SMTPConfig{Host: "localhost", TLS: TLSNone, Username: "u", Password: "p"}, "", 25},
		{"no host", SMTPConfig{}, "host is empty", 0},
		{"bad port", SMTPConfig{Host: "h", Port: 70000}, "70000", 0},
		{"bad tls mode", SMTPConfig{Host: "h", TLS: "ssl3"}, `"ssl3"`, 0},
		{"negative timeout", SMTPConfig{Host: "h", Timeout: -time.Second}, "negative", 0},
		{"user without password", SMTPConfig{Host: "h", Username: "u"}, "together", 0},
		{"unknown auth", SMTPConfig{Host: "h", Username: "u", Password: "p", Auth: "cram-md5"}, `"cram-md5"`, 0},
		{"auth without user", SMTPConfig{Host: "h", Auth: AuthLogin}, "no username", 0},
		{"password in clear", SMTPConfig{Host: "smtp.example.org", TLS: TLSNone, Username: "u", Password: "p"}, "in clear", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewSMTPSender(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.cfg.Port != tt.wantPort || s.cfg.Timeout != DefaultSMTPTimeout {
				t.Errorf("port %d timeout %v, want %d and %v", s.cfg.Port, s.cfg.Timeout, tt.wantPort, DefaultSMTPTimeout)
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"rcpt 550", &SendError{Stage: StageRcpt, Code: 550}, true},
		{"data 554", &SendError{Stage: StageData, Code: 554}, true},
		{"rcpt 450", &SendError{Stage: StageRcpt, Code: 450}, false},
		{"data uncertain", &SendError{Stage: StageData, Uncertain: true}, false},
		{"mail from 550 is configuration", &SendError{Stage: StageMail, Code: 550}, false},
		{"connect 535", &SendError{Stage: StageConnect, Code: 535}, false},
		{"invalid message", &SendError{Stage: StageMessage}, true},
		{"write", &SendError{Stage: StageWrite}, false},
		{"wrapped", errors.Join(errors.New("outbox"), &SendError{Stage: StageRcpt, Code: 553}), true},
		{"bare 5xx reply", &textproto.Error{Code: 550, Msg: "no"}, true},
		{"bare 4xx reply", &textproto.Error{Code: 421, Msg: "closing"}, false},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func mustAtoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
