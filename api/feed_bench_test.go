package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// BenchmarkFeedAfterChange: one activity of a large feed changes, then the
// feed is fetched over loopback and read; run against a copy of a
// database made by `jointcal demo --scale N` named by JOINTCAL_BENCH_DB
// (the copy is changed). JOINTCAL_BENCH_ENCODING=gzip asks for gzip, as
// calendar clients do.
func BenchmarkFeedAfterChange(b *testing.B) {
	store := storagetest.OpenBench(b, models.DefaultSettings())
	s := testServer(b, store, nil)
	ctx := context.Background()
	sys := models.System()
	_, token, err := store.CreateFeed(ctx, sys, models.FeedInput{Name: "bench", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 1000)
	if err != nil {
		b.Fatal(err)
	}
	path := "/feeds/" + token + ".ics"
	if rec := get(s, path); rec.Code != http.StatusOK {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	v, err := store.GetActivity(ctx, sys, 1)
	if err != nil {
		b.Fatalf("no activity 1 to change: %v", err)
	}
	in := v.Input()
	// The timed fetches go over loopback, as a calendar client's do, and
	// the body is read and dropped: a recorder would time its own buffer
	// growing to the feed's 10 MB.
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	encoding := os.Getenv("JOINTCAL_BENCH_ENCODING") // "gzip" as calendar clients ask; "" for none
	// The version before the first change is fetched in the encoding
	// timed, as a client polling the feed would have.
	if rec := get(s, path, "Accept-Encoding", encoding); rec.Code != http.StatusOK {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		in.Title = v.Title + string(rune('a'+i%26))
		if _, err := store.UpdateActivity(ctx, sys, v.ID, in, storage.WriteOptions{OverrideReason: "bench"}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		fetchFeed(b, srv, path, encoding)
	}
}

// BenchmarkFeedNeverRendered: the first fetch of a large feed none of
// whose events any process rendered before (no stored blocks, no stored
// head, a new process's empty cache): read, render and lay out every
// event, then send it. Run against a copy of a database made by `jointcal
// demo --scale N` named by JOINTCAL_BENCH_DB (SQLite; the copy's stored
// blocks and heads are deleted before each fetch).
func BenchmarkFeedNeverRendered(b *testing.B) {
	store := storagetest.OpenBench(b, models.DefaultSettings())
	dsn := os.Getenv("JOINTCAL_BENCH_DB")
	_, token, err := store.CreateFeed(context.Background(), models.System(), models.FeedInput{Name: "bench", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 1000)
	if err != nil {
		b.Fatal(err)
	}
	path := "/feeds/" + token + ".ics"
	encoding := os.Getenv("JOINTCAL_BENCH_ENCODING")
	for b.Loop() {
		b.StopTimer()
		storagetest.ReadRows(b, "sqlite", dsn, "DELETE FROM feed_blocks")
		storagetest.ReadRows(b, "sqlite", dsn, "DELETE FROM feed_heads")
		s := testServer(b, store, nil)
		srv := httptest.NewServer(s.Handler())
		b.StartTimer()
		fetchFeed(b, srv, path, encoding)
		b.StopTimer()
		srv.Close()
		s.Close()
		b.StartTimer()
	}
}

// fetchFeed GETs a feed over loopback, as a calendar client does, and
// reads its body and drops it (a recorder would time its own buffer
// growing to the feed's 10 MB).
func fetchFeed(b *testing.B, srv *httptest.Server, path, encoding string) {
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", encoding)
	res, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || n < 1000 {
		b.Fatalf("%d, %d bytes, %v", res.StatusCode, n, err)
	}
}

// BenchmarkFeedAfterNewPerson: a person is added to the service (as a
// first sign-in adds one), then a calendar client polls the 10,000-event
// feed with the ETag it holds. Nothing the feed shows changed, so the
// answer should be a 304. Run against a copy of a database made by
// `jointcal demo --scale N` named by JOINTCAL_BENCH_DB (people are added
// to it).
func BenchmarkFeedAfterNewPerson(b *testing.B) {
	store := storagetest.OpenBench(b, models.DefaultSettings())
	s := testServer(b, store, nil)
	ctx := context.Background()
	_, token, err := store.CreateFeed(ctx, models.System(), models.FeedInput{Name: "bench", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 1000)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	path := "/feeds/" + token + ".ics"
	encoding := os.Getenv("JOINTCAL_BENCH_ENCODING")
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		first := get(s, path, "Accept-Encoding", encoding)
		if first.Code != http.StatusOK {
			b.Fatalf("%d", first.Code)
		}
		email := "bench.person." + strconv.Itoa(i) + "." + strconv.FormatInt(time.Now().UnixNano(), 36) + "@eeas.example"
		if _, err := store.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Bench Person", Email: email, TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", encoding)
		req.Header.Set("If-None-Match", first.Header().Get("ETag"))
		res, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		b.ReportMetric(float64(n), "bytes/op")
	}
}
