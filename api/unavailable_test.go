package api_test

import (
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// tcpProxy forwards loopback connections to a database server until it
// is cut, when it drops every connection and stops listening: the
// database has become unreachable.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDatabaseUnreachableIs503: while the database cannot be reached the
// API answers 503 with Retry-After, as /readyz does, not 500.
func TestDatabaseUnreachableIs503(t *testing.T) {
	if os.Getenv(storagetest.EnvPostgres) == "" {
		t.Skip("needs PostgreSQL (" + storagetest.EnvPostgres + "); CI sets it")
	}
	t.Parallel()
	var pg storagetest.Backend
	for _, b := range storagetest.Backends() {
		if b.Name == "postgres" {
			pg = b
		}
	}
	u, err := url.Parse(pg.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	s := storagetest.OpenDSN(t, u.String())
	e := newEnv(t, s)
	e.expect(e.do("GET", "/api/v1/activities", "viewer", nil), 200)
	proxy.cut()
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/activities"},
		{"GET", "/api/v1/organizations"},
		{"POST", "/api/v1/activities"},
		{"GET", "/readyz"},
	} {
		var body any
		if req.method == "POST" {
			body = meeting("EU", "While the database is away", "2031-06-01T09:00:00+02:00", "2031-06-01T10:00:00+02:00")
		}
		r := e.expect(e.do(req.method, req.path, "admin", body), 503)
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s: 503 without Retry-After", req.method, req.path)
		}
	}
}
