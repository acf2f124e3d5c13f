// Package notifytest runs a real SMTP server (emersion/go-smtp) on
// loopback for tests of code that sends mail: it records every accepted
// message, can reject chosen recipients permanently, slow down, and be
// stopped and started again on the same address.
package notifytest

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From, To string
	Data     []byte
}

// Server is a loopback SMTP server for one test.
type Server struct {
	// Host and Port are where it listens.
	Host string
	Port int

	t    testing.TB
	addr string

	mu      sync.Mutex
	srv     *gosmtp.Server
	ln      net.Listener
	msgs    []Message
	reject  map[string]bool
	refuse  bool
	delay   time.Duration
	connect int
}

// Start listens on a free loopback port; the server stops with the test.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, reject: map[string]bool{}, addr: "127.0.0.1:0"}
	s.Up()
	t.Cleanup(s.Down)
	return s
}

// Up (re)starts the server on its address.
func (s *Server) Up() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old socket may linger for a moment
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("notifytest: listen on %s: %v", s.addr, err)
	}
	srv := gosmtp.NewServer(&backend{s: s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.addr = ln.Addr().String()
	tcp := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = tcp.IP.String(), tcp.Port
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Down stops the server; clients then fail to connect.
func (s *Server) Down() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
		_ = ln.Close() // Serve may not have registered it yet
	}
}

// SetUnavailable makes the server greet every new connection with 421
// (service not available) and close it, as a mail server that is down for
// maintenance does; false restores service.
func (s *Server) SetUnavailable(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = down
}

// Reject makes the server refuse rcpt with a permanent 550.
func (s *Server) Reject(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject[rcpt] = true
}

// SetDelay slows the acceptance of each message.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Messages returns a copy of what was accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Connections counts the sessions opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connect
}

// WaitFor polls until at least n messages arrived or timeout passes.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages()
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type backend struct{ s *Server }

func (b *backend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.s.connect++
	if b.s.refuse {
		return nil, &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 3, 2}, Message: "service not available, try later"}
	}
	return &session{s: b.s}, nil
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Mail(from string, _ *gosmtp.MailOptions) error {
	x.from, x.to = from, nil
	return nil
}

func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.s.mu.Lock()
	rejected := x.s.reject[to]
	x.s.mu.Unlock()
	if rejected {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	x.s.mu.Lock()
	delay := x.s.delay
	x.s.mu.Unlock()
	time.Sleep(delay)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	for _, to := range x.to {
		x.s.msgs = append(x.s.msgs, Message{From: x.from, To: to, Data: append([]byte(nil), buf.Bytes()...)})
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
