package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// received is one message as the loopback SMTP server got it.
type received struct {
	from, to string
	data     []byte
	conn     int    // 1-based index of the TCP connection it came over
	user     string // authenticated user, "" without AUTH
	tls      bool   // the session was encrypted
}

// serverOptions configure the loopback server and the faults it injects.
type serverOptions struct {
	addr      string // listen address; "" picks a free loopback port
	startTLS  bool   // offer STARTTLS
	implicit  bool   // TLS from the first byte (port 465 style)
	user      string // require AUTH with this user and pass
	pass      string
	discard   bool // do not keep message bodies (benchmarks)
	rejectFor map[string]*gosmtp.SMTPError
	// dropAtMail closes the connection instead of answering the n-th MAIL
	// (1-based) of connection conn, when it returns true.
	dropAtMail func(conn, n int) bool
	// dropAfterData records the n-th message of the server (1-based), then
	// closes the connection without replying, when it returns true.
	dropAfterData func(n int) bool
	// blockData, when set, holds every DATA until it is closed.
	blockData chan struct{}
}

// testServer is an emersion/go-smtp server on loopback that records
// envelopes and bytes and counts TCP connections.
type testServer struct {
	opts  serverOptions
	addr  string
	host  string
	port  int
	srv   *gosmtp.Server
	conns atomic.Int64

	mu   sync.Mutex
	msgs []received
}

// startServer starts a server and stops it when the test ends.
func startServer(t testing.TB, opts serverOptions) *testServer {
	t.Helper()
	addr := opts.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	s := &testServer{opts: opts, addr: ln.Addr().String()}
	host, port, _ := net.SplitHostPort(s.addr)
	s.host = host
	s.port, _ = strconv.Atoi(port)

	var l net.Listener = &countingListener{Listener: ln, n: &s.conns}
	srv := gosmtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	if opts.startTLS || opts.implicit {
		cfg := selfSignedTLS(t)
		if opts.startTLS {
			srv.TLSConfig = cfg
		} else {
			l = tls.NewListener(l, cfg)
		}
	}
	s.srv = srv
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// messages returns what the server has accepted so far.
func (s *testServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// NewSession implements gosmtp.Backend; it is called once per EHLO
// (twice on a STARTTLS connection).
func (s *testServer) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &testSession{s: s, c: c, conn: connIndex(c.Conn()), tls: isTLS}, nil
}

type testSession struct {
	s      *testServer
	c      *gosmtp.Conn
	conn   int
	tls    bool
	user   string
	from   string
	to     []string
	nMails int
}

func (ss *testSession) AuthMechanisms() []string {
	if ss.s.opts.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (ss *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != ss.s.opts.user || pass != ss.s.opts.pass {
			return gosmtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (ss *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.s.opts.user != "" && ss.user == "" {
		return gosmtp.ErrAuthRequired
	}
	ss.nMails++
	if f := ss.s.opts.dropAtMail; f != nil && f(ss.conn, ss.nMails) {
		_ = ss.c.Conn().Close()
		return errors.New("dropped")
	}
	ss.from = from
	return nil
}

func (ss *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if err := ss.s.opts.rejectFor[to]; err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *testSession) Data(r io.Reader) error {
	if ss.s.opts.blockData != nil {
		<-ss.s.opts.blockData
	}
	var data []byte
	if ss.s.opts.discard {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
	} else {
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		data = b
	}
	s := ss.s
	s.mu.Lock()
	for _, to := range ss.to {
		s.msgs = append(s.msgs, received{from: ss.from, to: to, data: data, conn: ss.conn, user: ss.user, tls: ss.tls})
	}
	n := len(s.msgs)
	s.mu.Unlock()
	if f := s.opts.dropAfterData; f != nil && f(n) {
		_ = ss.c.Conn().Close()
	}
	return nil
}

func (ss *testSession) Reset() { ss.from, ss.to = "", nil }

func (ss *testSession) Logout() error { return nil }

// loginServer is the server side of SASL LOGIN (go-sasl has only the client).
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // initial response carries the user name
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, false, errors.New("unexpected LOGIN step")
}

// countingListener numbers accepted connections.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: c, index: int(l.n.Add(1))}, nil
}

type countedConn struct {
	net.Conn
	index int
}

// connIndex finds the connection number under any TLS layers.
func connIndex(c net.Conn) int {
	for {
		switch v := c.(type) {
		case *countedConn:
			return v.index
		case *tls.Conn:
			c = v.NetConn()
		default:
			return 0
		}
	}
}

// selfSignedTLS makes a server certificate for 127.0.0.1 and localhost.
func selfSignedTLS(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "jointcal test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

// senderFor returns an SMTPSender for s with extra settings applied.
func senderFor(t testing.TB, s *testServer, mod func(*SMTPConfig)) *SMTPSender {
	t.Helper()
	cfg := SMTPConfig{Host: s.host, Port: s.port, TLS: TLSNone, Timeout: 5 * time.Second, HELO: "jointcal.test"}
	if s.opts.startTLS {
		cfg.TLS, cfg.InsecureSkipVerify = TLSStartTLS, true
	}
	if s.opts.implicit {
		cfg.TLS, cfg.InsecureSkipVerify = TLSImplicit, true
	}
	if mod != nil {
		mod(&cfg)
	}
	snd, err := NewSMTPSender(cfg)
	if err != nil {
		t.Fatalf("NewSMTPSender(%+v): %v", cfg, err)
	}
	return snd
}

// batchOf composes n reminders to distinct recipients.
func batchOf(t testing.TB, n int) []*Message {
	t.Helper()
	msgs := make([]*Message, n)
	for i := range msgs {
		nt := sampleNotice(t)
		nt.Key += ";n=" + strconv.Itoa(i)
		nt.To.Email = "person" + strconv.Itoa(i) + "@example.org"
		nt.To.Name = "Person " + strconv.Itoa(i)
		msgs[i] = compose(t, nt)
	}
	return msgs
}

// byRecipient counts received messages per envelope recipient.
func byRecipient(msgs []received) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		out[m.to]++
	}
	return out
}

// sameBytes reports whether the server got exactly the composed bytes.
func sameBytes(got received, m *Message) bool { return bytes.Equal(got.data, m.Bytes) }
