package scheduler

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestRefusedAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.1.1": true, "169.254.169.254": true,
		"100.64.0.1": true, "0.0.0.0": true, "::1": true, "fe80::1": true, "fd00::1": true, "224.0.0.1": true,
		"93.184.216.34": false, "2001:db8::1": false, "8.8.8.8": false,
	} {
		if got := refused(netip.MustParseAddr(addr).Unmap()); got != want {
			t.Errorf("refused(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestFetcherLimits(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		switch r.URL.Path {
		case "/big":
			io.WriteString(w, strings.Repeat("x", 2048))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://example.org/cal.ics", http.StatusFound)
		default:
			io.WriteString(w, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	// Loopback is refused unless allowed.
	if _, err := NewFetcher(time.Second, 1024, 3, nil).Fetch(ctx, srv.URL, "", ""); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("loopback fetched without an allow-list: %v", err)
	}
	if hits != 0 {
		t.Fatal("a refused address was contacted")
	}
	f := NewFetcher(time.Second, 1024, 3, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	if res, err := f.Fetch(ctx, srv.URL+"/ok", "", ""); err != nil || !strings.HasPrefix(string(res.Body), "BEGIN:VCALENDAR") {
		t.Fatalf("allowed fetch: %v", err)
	}
	for path, want := range map[string]string{"/big": "larger than 1024", "/loop": "redirects", "/ftp": "refused"} {
		if _, err := f.Fetch(ctx, srv.URL+path, "", ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", path, err, want)
		}
	}
	for _, bad := range []string{"file:///etc/passwd", "gopher://x", "http://user:pw@example.org/", "not a url"} {
		if _, err := f.Fetch(ctx, bad, "", ""); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
