package main

import (
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/jointcal/jointcal/notify/notifytest"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestSlowHeadersAreCutOff keeps what an outside probe found to hold: a
// client that sends its headers a byte at a time (slowloris) is
// disconnected by the header timeout instead of holding a connection
// for as long as it likes.
func TestSlowHeadersAreCutOff(t *testing.T) {
	bin := binaryForTest(t)
	t.Parallel()
	dsn := storagetest.Backends()[0].DSN(t)
	storeWithEU(t, dsn)
	p := startServe(t, bin, dsn, notifytest.Start(t), "slowloris", "JOINTCAL_SCHEDULER=off")
	u, err := url.Parse(listenURL(t, p))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closed := make(chan time.Duration, 1)
	began := time.Now()
	go func() {
		_, _ = io.Copy(io.Discard, conn) // returns when the server closes
		closed <- time.Since(began)
	}()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: jointcal\r\n")); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	deadline := time.After(40 * time.Second)
	for {
		select {
		case d := <-closed:
			t.Logf("the server closed the slow connection after %s", d.Round(time.Second))
			return
		case <-tick.C:
			_, _ = conn.Write([]byte("X")) // one more byte of a header that never ends
		case <-deadline:
			t.Fatal("a client sending headers a byte a second held its connection for 40 s")
		}
	}
}
