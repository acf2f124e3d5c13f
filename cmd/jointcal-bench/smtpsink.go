package main

import (
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// smtpSink is a loopback SMTP server that accepts every message and
// counts recipients: the far end of the reminder benchmark. It is part of
// the tool, not of the test suite, so the binary carries no test code.
type smtpSink struct {
	Host     string
	Port     int
	srv      *gosmtp.Server
	accepted atomic.Int64
}

// startSMTPSink listens on a free loopback port.
func startSMTPSink() (*smtpSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtp sink: listen: %w", err)
	}
	s := &smtpSink{}
	s.srv = gosmtp.NewServer(sinkBackend{s})
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	tcp := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = tcp.IP.String(), tcp.Port
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Accepted is the number of recipients of accepted messages so far.
func (s *smtpSink) Accepted() int { return int(s.accepted.Load()) }

// Close stops the server.
func (s *smtpSink) Close() error { return s.srv.Close() }

type sinkBackend struct{ s *smtpSink }

func (b sinkBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &sinkSession{s: b.s}, nil
}

type sinkSession struct {
	s          *smtpSink
	recipients int64
}

func (x *sinkSession) Mail(string, *gosmtp.MailOptions) error { x.recipients = 0; return nil }
func (x *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { x.recipients++; return nil }
func (x *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	x.s.accepted.Add(x.recipients)
	return nil
}
func (x *sinkSession) Reset()        { x.recipients = 0 }
func (x *sinkSession) Logout() error { return nil }
