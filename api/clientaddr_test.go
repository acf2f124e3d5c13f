package api

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/jointcal/jointcal/config"
	"github.com/labstack/echo/v4"
)

// TestClientAddr: forwarded headers count only from a trusted proxy, and
// an IPv6 client counts by its /64.
func TestClientAddr(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: config.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	e := echo.New()
	for _, c := range []struct {
		remote, forwarded, want string
	}{
		{"192.0.2.7:5000", "", "192.0.2.7"},
		{"192.0.2.7:5000", "198.51.100.1", "192.0.2.7"},                          // not a trusted proxy: ignored
		{"10.1.2.3:5000", "198.51.100.1", "198.51.100.1"},                        // the proxy names the client
		{"10.1.2.3:5000", "203.0.113.9, 198.51.100.1, 10.9.9.9", "198.51.100.1"}, // right-most untrusted hop
		{"10.1.2.3:5000", "not-an-address", "10.1.2.3"},
		{"[2001:db8:1:2:aaaa::1]:5000", "", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:5000", "", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:5000", "", "192.0.2.7"},
	} {
		req := httptest.NewRequest("POST", "/signin/link", nil)
		req.RemoteAddr = c.remote
		if c.forwarded != "" {
			req.Header.Set("X-Forwarded-For", c.forwarded)
		}
		if got := s.clientAddr(e.NewContext(req, httptest.NewRecorder())); got != c.want {
			t.Errorf("%s / %q: %s, want %s", c.remote, c.forwarded, got, c.want)
		}
	}
}
