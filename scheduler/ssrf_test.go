package scheduler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// TestFetcherRefusesEveryFormOfAnInternalAddress keeps what an outside
// probe found to hold: the check is made on the address actually dialled,
// so no spelling of a loopback address and no redirect reaches one.
func TestFetcherRefusesEveryFormOfAnInternalAddress(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	inner := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	inner.Listener = ln
	inner.Start()
	defer inner.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	ctx := context.Background()
	strict := NewFetcher(2*time.Second, 1<<16, 3, nil)
	for _, u := range []string{
		fmt.Sprintf("http://127.0.0.1:%d/", port),
		fmt.Sprintf("http://2130706433:%d/", port), // decimal
		fmt.Sprintf("http://0x7f000001:%d/", port), // hex
		fmt.Sprintf("http://0177.0.0.1:%d/", port), // octal
		fmt.Sprintf("http://127.1:%d/", port),      // short
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		fmt.Sprintf("http://[::ffff:7f00:1]:%d/", port),
		fmt.Sprintf("http://localhost:%d/", port),
		fmt.Sprintf("webcal://127.0.0.1:%d/", port),
	} {
		if _, err := strict.Fetch(ctx, u, "", ""); err == nil {
			t.Errorf("%s was fetched", u)
		}
	}
	// A server the fetcher may reach redirects into internal addresses
	// (loopback only: a test never sends traffic elsewhere; the private
	// ranges are covered by TestRefusedAddresses).
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer redirector.Close()
	allowRedirector := NewFetcher(2*time.Second, 1<<16, 3, []netip.Prefix{netip.MustParsePrefix(redirector.Listener.Addr().(*net.TCPAddr).IP.String() + "/32")})
	// The redirector and inner server share 127.0.0.1, so inner moves to
	// another loopback address that the allow-list does not name.
	inner2 := httptest.NewUnstartedServer(inner.Config.Handler)
	ln2, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address here: %v", err)
	}
	inner2.Listener = ln2
	inner2.Start()
	defer inner2.Close()
	port2 := ln2.Addr().(*net.TCPAddr).Port
	for _, to := range []string{
		fmt.Sprintf("http://127.0.0.2:%d/", port2),
		fmt.Sprintf("http://[::ffff:127.0.0.2]:%d/", port2),
		fmt.Sprintf("http://2130706434:%d/", port2),
	} {
		if _, err := allowRedirector.Fetch(ctx, redirector.URL+"/?to="+to, "", ""); err == nil {
			t.Errorf("a redirect to %s was followed", to)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("an internal server was reached %d times", n)
	}
}
