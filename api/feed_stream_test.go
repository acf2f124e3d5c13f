package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/gate"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// streamChunk lays the test feeds out in several chunks, so that a stream
// starts before most events are read.
const streamChunk = 4

// newStreamServer is a server with an empty cache (a new process) laying
// feeds out streamChunk events at a time.
func newStreamServer(t *testing.T, store *storage.Store) *Server {
	t.Helper()
	s := testServer(t, store, nil)
	s.feedChunk = streamChunk
	return s
}

// fetch GETs path from a live server, so that an aborted answer is seen
// as a client sees it; it returns the answer and its body as read, with
// the read error (io.ErrUnexpectedEOF for a body cut short).
func fetch(t *testing.T, s *Server, path string, headers ...string) (*http.Response, []byte, error) {
	t.Helper()
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	req, err := http.NewRequest(http.MethodGet, hs.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity") // no transparent gzip
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// TestFeedStreamedFromStoredHead, on both databases: after a restart, a
// feed whose head was stored by the previous process is streamed, and its
// bytes and validators are exactly those of the feed laid out first;
// gzip is streamed too, HEAD is answered whole, If-Modified-Since alone
// gets the feed, streamed, and the layout is cached for the next request.
func TestFeedStreamedFromStoredHead(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			const n = 13
			w := newStoredBlocksWorld(t, b, n)
			// One event changed a second later than the reference data,
			// so that its DTSTAMP is its own, not the stamp the others
			// share: the streamed answer must write it as the layout does.
			changeInALaterSecond(t, w.store, w.open[n/2])
			first := newStreamServer(t, w.store)
			resp, fresh, err := fetch(t, first, w.eu)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("first fetch: %d, %v", resp.StatusCode, err)
			}
			if stamps := distinctStamps(fresh); stamps < 2 {
				t.Fatalf("the feed holds %d distinct DTSTAMPs, want the changed event's own and the others'", stamps)
			}
			if first.feedCache.streamed.Load() != 0 {
				t.Fatal("the first fetch ever was streamed, with no head stored")
			}
			first.Close() // writes the blocks and the head

			s := newStreamServer(t, w.store)
			got, body, err := fetch(t, s, w.eu)
			if err != nil || got.StatusCode != http.StatusOK {
				t.Fatalf("fetch after a restart: %d, %v", got.StatusCode, err)
			}
			if s.feedCache.streamed.Load() != 1 || s.feedCache.loaded.Load() != n+1 {
				t.Fatalf("after a restart: %d streamed, %d events loaded; want 1 and %d", s.feedCache.streamed.Load(), s.feedCache.loaded.Load(), n+1)
			}
			if !bytes.Equal(body, fresh) {
				t.Fatalf("the streamed feed differs from the one laid out first:\n%s\n---\n%s", body, fresh)
			}
			for _, h := range []string{"ETag", "Last-Modified", "Content-Length", "Content-Type", "Cache-Control", "Vary"} {
				if got.Header.Get(h) != resp.Header.Get(h) {
					t.Errorf("%s: streamed %q, laid out first %q", h, got.Header.Get(h), resp.Header.Get(h))
				}
			}
			// The layout is cached: the next request is written from it.
			if again, body, err := fetch(t, s, w.eu); err != nil || again.StatusCode != http.StatusOK || !bytes.Equal(body, fresh) || s.feedCache.streamed.Load() != 1 {
				t.Fatalf("second fetch: %d, %v, %d streamed", again.StatusCode, err, s.feedCache.streamed.Load())
			}

			// gzip is streamed too, in the parts the layout is compressed
			// in, under the weak form of the ETag and without a length
			// (net/http adds one when the whole answer fits its buffer);
			// it is cached whole, the parts it joined being those of the
			// layout, so the next gzip answer is the same bytes,
			// compressing nothing again.
			gz := newStreamServer(t, w.store)
			r, zipped, err := fetch(t, gz, w.eu, "Accept-Encoding", "gzip")
			if err != nil || r.StatusCode != http.StatusOK || gz.feedCache.streamed.Load() != 1 {
				t.Fatalf("gzip after a restart: %d, %v, %d streamed", r.StatusCode, err, gz.feedCache.streamed.Load())
			}
			if plain := gunzip(t, zipped); !bytes.Equal(plain, fresh) {
				t.Fatalf("the streamed gzip answer differs from the feed laid out first:\n%s\n---\n%s", plain, fresh)
			}
			if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("ETag") != "W/"+resp.Header.Get("ETag") || (r.ContentLength != -1 && r.ContentLength != int64(len(zipped))) {
				t.Fatalf("streamed gzip headers: encoding %q, ETag %q (plain %q), length %d", r.Header.Get("Content-Encoding"), r.Header.Get("ETag"), resp.Header.Get("ETag"), r.ContentLength)
			}
			if v, ok := gz.feedCache.get(feedGzipKey(strings.Trim(resp.Header.Get("ETag"), `"`))); !ok || !bytes.Equal(v.gz, zipped) {
				t.Fatalf("the streamed gzip answer is not cached whole (%v)", ok)
			}
			compressed := gz.feedCache.compressedParts.Load()
			if again, body, err := fetch(t, gz, w.eu, "Accept-Encoding", "gzip"); err != nil || !bytes.Equal(body, zipped) || gz.feedCache.compressedParts.Load() != compressed || again.Header.Get("Content-Length") != strconv.Itoa(len(zipped)) {
				t.Fatalf("gzip again: %v, same bytes %v, %d parts compressed (%d before), length %q", err, bytes.Equal(body, zipped), gz.feedCache.compressedParts.Load(), compressed, again.Header.Get("Content-Length"))
			}
			// A client holding either form of the ETag gets a 304.
			for _, etag := range []string{r.Header.Get("ETag"), resp.Header.Get("ETag")} {
				if nm := get(gz, w.eu, "Accept-Encoding", "gzip", "If-None-Match", etag); nm.Code != http.StatusNotModified || nm.Header().Get("ETag") != r.Header.Get("ETag") {
					t.Fatalf("If-None-Match %s with gzip: %d, ETag %q", etag, nm.Code, nm.Header().Get("ETag"))
				}
			}
			// HEAD is not streamed: it is answered once laid out.
			head := newStreamServer(t, w.store)
			req := httptest.NewRequest(http.MethodHead, w.eu, nil)
			rec := httptest.NewRecorder()
			head.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Length") != resp.Header.Get("Content-Length") || head.feedCache.streamed.Load() != 0 {
				t.Fatalf("HEAD after a restart: %d, length %q, %d streamed", rec.Code, rec.Header().Get("Content-Length"), head.feedCache.streamed.Load())
			}

			// Only the ETag decides a feed's 304 (its Last-Modified does
			// not move when an event leaves it): If-Modified-Since alone
			// gets the feed.
			ims := newStreamServer(t, w.store)
			if r, body, err := fetch(t, ims, w.eu, "If-Modified-Since", resp.Header.Get("Last-Modified")); err != nil || r.StatusCode != http.StatusOK || !bytes.Equal(body, fresh) || ims.feedCache.streamed.Load() != 1 {
				t.Fatalf("If-Modified-Since after a restart: %d, %d bytes, %v, %d streamed", r.StatusCode, len(body), err, ims.feedCache.streamed.Load())
			}
		})
	}
}

// lastInUIDOrder is the id of the activity whose event comes last in a
// feed of ids.
func lastInUIDOrder(s *Server, ids []int64) int64 {
	items := make([]models.FeedItem, len(ids))
	for i, id := range ids {
		items[i] = models.FeedItem{ID: id}
	}
	return s.inUIDOrder(items)[len(items)-1].ID
}

// gunzip is a gzip body's content; the test fails on a body that is not
// one whole gzip member.
func gunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	zr.Multistream(false)
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return plain
}

// TestFeedStreamGzipParts: a gzip answer streamed from a feed of several
// parts reads as the feed whatever the layout holds and whatever the
// client's pace: its events held as they are (the whole answer is then
// cached, the bytes sent), packed in runs (cut otherwise than the parts
// streamed: the rest of one part is compressed alone, and the answer is
// not cached), with the queue overflowing midway, and several clients at
// once, plain and gzip. Streamed gzip answers have no Content-Length.
func TestFeedStreamGzipParts(t *testing.T) {
	t.Parallel()
	w, _, fresh := headStoredWorld(t, storagetest.Backends()[0], 900)
	for _, tc := range []struct {
		name  string
		cache int64 // FeedCacheBytes, whose quarter a layout holds as it is (0: the default)
		queue int64
		// cached: whether the answer is cached whole ("either": the
		// client's pace decides whether what was sent ends where a part
		// of the layout does).
		cached  string
		clients int
	}{
		{"held", 0, maxStreamQueueBytes, "yes", 1},
		{"packed", 40_000, maxStreamQueueBytes, "no", 1},
		{"overflowing", 0, 200_000, "yes", 1},
		{"packed and overflowing", 40_000, 200_000, "either", 1},
		// Clients that come once the layout is done get it whole.
		{"six clients", 0, maxStreamQueueBytes, "either", 6},
	} {
		s := newStreamServer(t, w.store)
		s.feedChunk = 100
		if tc.cache != 0 {
			s.cfg.FeedCacheBytes = tc.cache
		}
		s.streamQueue = tc.queue
		hs := httptest.NewServer(s.Handler())
		var wg sync.WaitGroup
		for i := range tc.clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				encoding := "gzip"
				if i%3 == 2 {
					encoding = "identity"
				}
				req, _ := http.NewRequest(http.MethodGet, hs.URL+w.eu, nil)
				req.Header.Set("Accept-Encoding", encoding)
				resp, err := hs.Client().Do(req)
				if err != nil {
					t.Errorf("%s, client %d: %v", tc.name, i, err)
					return
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Errorf("%s, client %d: %d, %v", tc.name, i, resp.StatusCode, err)
					return
				}
				if encoding == "gzip" {
					if tc.clients == 1 && resp.ContentLength != -1 {
						t.Errorf("%s: a streamed gzip answer with a Content-Length (%d)", tc.name, resp.ContentLength)
					}
					version := strings.Trim(strings.TrimPrefix(resp.Header.Get("ETag"), "W/"), `"`)
					v, cached := s.feedCache.get(feedGzipKey(version))
					if cached && !bytes.Equal(v.gz, body) {
						t.Errorf("%s: the answer cached whole is not the bytes sent", tc.name)
					}
					if tc.cached != "either" && cached != (tc.cached == "yes") {
						t.Errorf("%s: the answer cached whole: %v, want %s", tc.name, cached, tc.cached)
					}
					body = gunzip(t, body)
				}
				if !bytes.Equal(body, fresh) {
					t.Errorf("%s, client %d (%s): %d bytes differ from the feed's %d", tc.name, i, encoding, len(body), len(fresh))
				}
			}()
		}
		wg.Wait()
		hs.Close()
		if n := s.feedCache.streamed.Load(); n < 1 || (tc.clients == 1 && n != 1) {
			t.Errorf("%s: %d answers streamed", tc.name, n)
		}
		if held := s.streamHeld.Load(); held != 0 {
			t.Errorf("%s: %d bytes still held", tc.name, held)
		}
	}
}

// TestFeedStreamGzipSendsPartsWhileLaidOut: a gzip answer sends its head
// at once and each part of events as soon as it is complete, while the
// layout goes on: with the layout held after its first 30 events, the
// client has the headers; held after 630 of its 901, it reads events.
func TestFeedStreamGzipSendsPartsWhileLaidOut(t *testing.T) {
	t.Parallel()
	w, _, fresh := headStoredWorld(t, storagetest.Backends()[0], 900)
	s := newStreamServer(t, w.store)
	s.feedChunk = 300 // 30 events first, then 300 at a time
	// The layout waits after its first chunk, and after its third.
	release := map[int32]chan struct{}{1: make(chan struct{}), 3: make(chan struct{})}
	var chunks atomic.Int32
	s.chunkLaidOut = func() {
		if ch, ok := release[chunks.Add(1)]; ok {
			<-ch
		}
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	released := map[int32]bool{}
	let := func(chunk int32) {
		if !released[chunk] {
			released[chunk] = true
			close(release[chunk])
		}
	}
	defer func() { let(1); let(3) }()
	req, _ := http.NewRequest(http.MethodGet, hs.URL+w.eu, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	type answer struct {
		resp *http.Response
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := hs.Client().Do(req)
		answered <- answer{resp, err}
	}()
	var resp *http.Response
	select {
	case a := <-answered:
		if a.err != nil || a.resp.StatusCode != http.StatusOK {
			t.Fatalf("%v, %v", a.err, a.resp)
		}
		resp = a.resp
	case <-time.After(10 * time.Second):
		t.Fatal("no headers while the layout is held after its first chunk: the answer's start was not sent")
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	let(1)
	read := make(chan []byte, 1)
	go func() {
		var got []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(got, []byte("BEGIN:VEVENT")) {
			n, err := zr.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		read <- got
	}()
	var first []byte
	select {
	case first = <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("no event read while the layout is held: no part was sent before the layout's end")
	}
	// Read before let(3): the layout had not gone past its third chunk.
	let(3)
	rest, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if all := append(first, rest...); !bytes.Equal(all, fresh) {
		t.Fatalf("the answer (%d bytes) differs from the feed (%d)", len(all), len(fresh))
	}
}

// headStoredWorld is a world of n open activities and a restricted one
// whose EU feed a first process has laid out and closed, storing its
// blocks and head; fresh is that feed as laid out.
func headStoredWorld(t *testing.T, b storagetest.Backend, n int) (w storedBlocksWorld, first *Server, fresh []byte) {
	t.Helper()
	w = newStoredBlocksWorld(t, b, n)
	first = newStreamServer(t, w.store)
	_, fresh, err := fetch(t, first, w.eu)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	return w, first, fresh
}

// TestFeedStreamAbortedOnMismatch: when the finished layout differs from
// the stored head a stream was started from, the connection is aborted
// (the client reads fewer bytes than Content-Length, and keeps its copy)
// instead of ending a wrong calendar, the right head is stored, and the
// next process streams the right bytes.
func TestFeedStreamAbortedOnMismatch(t *testing.T) {
	t.Parallel()
	b := storagetest.Backends()[0]
	w, _, fresh := headStoredWorld(t, b, 9)
	// Same length, other bytes: as if time zone data changed under the
	// same build.
	storagetest.ReadRows(t, b.Name, w.dsn, "UPDATE feed_heads SET head = REPLACE(head, 'VERSION:2.0', 'VERSION:2.1') RETURNING feed_id")

	// A gzip answer is cut short: no trailer, no last chunk.
	gz := newStreamServer(t, w.store)
	if resp, body, err := fetch(t, gz, w.eu, "Accept-Encoding", "gzip"); gz.feedCache.streamed.Load() != 1 || resp.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("gzip: %d streamed, status %d, %d bytes read (%v); want the stream started and cut short\n%q", gz.feedCache.streamed.Load(), resp.StatusCode, len(body), err, body)
	} else if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
		if _, err := io.ReadAll(zr); err == nil {
			t.Fatal("the gzip answer cut short reads as a whole gzip member")
		}
	}
	// That process stored the right head: the wrong one is put back.
	gz.Close()
	storagetest.ReadRows(t, b.Name, w.dsn, "UPDATE feed_heads SET head = REPLACE(head, 'VERSION:2.0', 'VERSION:2.1') RETURNING feed_id")

	s := newStreamServer(t, w.store)
	resp, body, err := fetch(t, s, w.eu)
	if s.feedCache.streamed.Load() != 1 || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d streamed, status %d; want the stream started", s.feedCache.streamed.Load(), resp.StatusCode)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(body)) >= resp.ContentLength || bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		t.Fatalf("read %d of %d bytes (%v); want the answer cut short", len(body), resp.ContentLength, err)
	}
	if _, again, err := fetch(t, s, w.eu); err != nil || !bytes.Equal(again, fresh) {
		t.Fatalf("next request (cached layout): %v, same bytes %v", err, bytes.Equal(again, fresh))
	}
	s.Close() // writes the right head
	next := newStreamServer(t, w.store)
	if _, again, err := fetch(t, next, w.eu); err != nil || !bytes.Equal(again, fresh) || next.feedCache.streamed.Load() != 1 {
		t.Fatalf("next process: %v, %d streamed, same bytes %v", err, next.feedCache.streamed.Load(), bytes.Equal(again, fresh))
	}
}

// TestFeedStreamAbortedWhenChanged: an activity restricted to the EU by
// another process between a streamed NATO feed's listing and the reading
// of its row (its stored block gone, so the row is read) is never sent:
// the stream, started from the head stored for the listed version, is
// aborted when that activity's chunk comes, and the next listing leaves
// it out.
func TestFeedStreamAbortedWhenChanged(t *testing.T) {
	t.Parallel()
	store, other, path := twoProcesses(t)
	ctx, sys := context.Background(), models.System()
	_, token, err := store.CreateFeed(ctx, sys, models.FeedInput{Name: "NATO", Owner: models.FeedOwner{Type: "organization", IDOrCode: "NATO"}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	feed := "/feeds/" + token + ".ics"
	const secret = "Restricted: EU only"
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10).Add(9 * time.Hour)
	var ids []int64
	in := func(i int) models.ActivityInput {
		day := start.Add(time.Duration(i) * 3 * time.Hour)
		return models.ActivityInput{Kind: "meeting", Title: "Open staff talks", Start: day, End: day.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
	}
	for i := 0; i < 3*streamChunk; i++ {
		res, err := store.CreateActivity(ctx, sys, in(i), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Activity.ID)
	}
	victim := lastInUIDOrder(newStreamServer(t, store), ids)
	i := slices.Index(ids, victim)
	// The second fetch must come within the listing's reuse; on a machine
	// too slow for that, the attempt is made again.
	for attempt := 0; attempt < 3; attempt++ {
		warm := newStreamServer(t, store)
		if r := get(warm, feed); r.Code != http.StatusOK {
			t.Fatalf("first fetch: %d", r.Code)
		}
		warm.Close() // stores the blocks and the head
		s := newStreamServer(t, store)
		listed := time.Now()
		if r, body, err := fetch(t, s, feed); err != nil || r.StatusCode != http.StatusOK || s.feedCache.streamed.Load() != 1 {
			t.Fatalf("fetch after a restart: %d, %v, %d streamed", r.StatusCode, err, s.feedCache.streamed.Load())
		} else if strings.Contains(string(body), secret) {
			t.Fatal("shown before the change")
		}
		// Nothing cached in memory (the counters start again), the
		// victim's block gone from the table: its row must be read, after
		// the listing.
		s.feedCache = newFeedCache(s.cfg.FeedCacheBytes)
		storagetest.ReadRows(t, "sqlite", path, "DELETE FROM feed_blocks WHERE activity_id = "+itoa(victim)+" RETURNING activity_id")
		restricted := in(i)
		restricted.Title, restricted.Visibility = secret, []models.Ref{"EU"}
		if _, err := other.UpdateActivity(ctx, sys, victim, restricted, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		const sent = `jointcal_http_requests_total{method="GET",route="/feeds/:token",status="200"}`
		before := metricValue(t, s, sent)
		resp, body, err := fetch(t, s, feed)
		if strings.Contains(string(body), secret) {
			t.Fatalf("the NATO feed shows an activity restricted to the EU:\n%s", body)
		}
		if time.Since(listed) >= feedStateTTL/2 {
			t.Logf("attempt %d took %s, past the listing's reuse; again", attempt, time.Since(listed))
			if _, err := other.UpdateActivity(ctx, sys, victim, in(i), storage.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if s.feedCache.streamed.Load() != 1 || !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(body)) >= resp.ContentLength {
			t.Fatalf("fetch after the change: %d streamed, %d of %d bytes read (%v); want a stream cut short", s.feedCache.streamed.Load(), len(body), resp.ContentLength, err)
		}
		if n := metricValue(t, s, `jointcal_http_aborted_total{method="GET",route="/feeds/:token"}`); n != 1 {
			t.Fatalf("the aborted answer is counted %v times in the metrics, want 1", n)
		}
		if n := metricValue(t, s, sent) - before; n != 1 {
			t.Fatalf("the aborted answer is counted %v times among the requests, want 1 (with the status it sent)", n)
		}
		time.Sleep(feedStateTTL + 100*time.Millisecond)
		if r, body, err := fetch(t, s, feed); err != nil || r.StatusCode != http.StatusOK || strings.Contains(string(body), secret) {
			t.Fatalf("fetch once the listing is renewed: %d, %v", r.StatusCode, err)
		}
		return
	}
	t.Fatal("no attempt fetched within the listing's reuse")
}

// TestFeedStreamOverflow: when the client is slower than the layout and
// the queue of blocks is full — the stream's own bound or the server's
// for all streams — the layout stops handing blocks over (it never waits
// for the client) and the rest of the answer comes from the finished
// layout, the same bytes, plain or gzip; every byte held is given back
// at the end.
func TestFeedStreamOverflow(t *testing.T) {
	t.Parallel()
	w, _, fresh := headStoredWorld(t, storagetest.Backends()[0], 11)
	for _, tc := range []struct {
		queue, budget int64
		encoding      string
	}{
		{1, maxStreamedBytes, "identity"}, {3000, maxStreamedBytes, "identity"}, // nothing queued; one chunk or so
		{maxStreamQueueBytes, 1, "identity"}, {maxStreamQueueBytes, 3000, "identity"}, // the same by the server's bound
		{1, maxStreamedBytes, "gzip"}, {3000, maxStreamedBytes, "gzip"}, {maxStreamQueueBytes, 3000, "gzip"},
	} {
		s := newStreamServer(t, w.store)
		s.streamQueue, s.streamBudget = tc.queue, tc.budget
		resp, body, err := fetch(t, s, w.eu, "Accept-Encoding", tc.encoding)
		if err != nil || resp.StatusCode != http.StatusOK || s.feedCache.streamed.Load() != 1 {
			t.Fatalf("bounds %+v: %d, %v, %d streamed", tc, resp.StatusCode, err, s.feedCache.streamed.Load())
		}
		if tc.encoding == "gzip" {
			body = gunzip(t, body)
		}
		if !bytes.Equal(body, fresh) {
			t.Fatalf("bounds %+v: the answer differs from the laid-out feed:\n%s\n---\n%s", tc, body, fresh)
		}
		if held := s.streamHeld.Load(); held != 0 {
			t.Fatalf("bounds %+v: %d bytes still held after the answer", tc, held)
		}
	}
}

// panicOn is a log handler that panics at a message: a fault injected
// inside a layout, after its stream has started.
type panicOn string

func (p panicOn) Enabled(context.Context, slog.Level) bool { return true }
func (p panicOn) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, string(p)) {
		panic("injected fault: " + r.Message)
	}
	return nil
}
func (p panicOn) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p panicOn) WithGroup(string) slog.Handler      { return p }

// TestFeedStreamWriterEndsOnPanic: a panic in a layout whose stream has
// started cuts the answer short, and the stream's writer has ended before
// the handler returns — it never outlives the request, whose response the
// router hands to the next one. Not parallel: it counts the writers of the
// whole process.
func TestFeedStreamWriterEndsOnPanic(t *testing.T) {
	b := storagetest.Backends()[0]
	w, first, _ := headStoredWorld(t, b, 9)
	// The last event's block is gone: its chunk is rendered, and the
	// rendered block offered to a keeper that is full and logs it.
	last := lastInUIDOrder(first, append(slices.Clone(w.open), w.restricted))
	storagetest.ReadRows(t, b.Name, w.dsn, fmt.Sprintf("DELETE FROM feed_blocks WHERE activity_id = %d RETURNING activity_id", last))

	s := newStreamServer(t, w.store)
	s.blocks.limit, s.blocks.log = 0, slog.New(panicOn("not stored"))
	resp, body, err := fetch(t, s, w.eu)
	if s.feedCache.streamed.Load() != 1 || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d streamed, status %d; want the stream started", s.feedCache.streamed.Load(), resp.StatusCode)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(body)) >= resp.ContentLength {
		t.Fatalf("read %d of %d bytes (%v); want the answer cut short", len(body), resp.ContentLength, err)
	}
	if held := s.streamHeld.Load(); held != 0 {
		t.Fatalf("%d bytes still held after the aborted answer", held)
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "(*feedStream).write") {
		t.Fatalf("a stream's writer outlived its request:\n%s", stacks)
	}
}

// TestFeedHeadFollowsTheRefreshSetting: a head stored by a process with
// another refresh interval (the calendar's REFRESH-INTERVAL is in the
// head) is not streamed from — the answer would have been aborted at its
// end — and the feed is answered whole, with the new interval.
func TestFeedHeadFollowsTheRefreshSetting(t *testing.T) {
	t.Parallel()
	w, _, _ := headStoredWorld(t, storagetest.Backends()[0], 9)
	s := testServer(t, w.store, func(c *config.Config) { c.FeedRefresh = 2 * time.Hour })
	s.feedChunk = streamChunk
	resp, body, err := fetch(t, s, w.eu)
	if err != nil || resp.StatusCode != http.StatusOK || s.feedCache.streamed.Load() != 0 {
		t.Fatalf("after a restart with another refresh interval: %d, %v, %d streamed; want whole and not streamed", resp.StatusCode, err, s.feedCache.streamed.Load())
	}
	if !bytes.Contains(body, []byte("REFRESH-INTERVAL;VALUE=DURATION:PT2H")) || !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		t.Fatalf("the feed lacks the new interval or its end:\n%s", body)
	}
}

// metricValue is the value of one series (as the text format writes it,
// name{labels}) in the server's /metrics; zero when it is absent.
func metricValue(t *testing.T, s *Server, series string) float64 {
	t.Helper()
	r := get(s, "/metrics")
	for _, line := range strings.Split(r.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// TestFeedStreamJoinsTheWarmUp: a request that arrives while the start-up
// warm-up lays out the same version is streamed from the warm-up's
// layout (it used to wait for all of it), with the same bytes, and the
// layout is made once.
func TestFeedStreamJoinsTheWarmUp(t *testing.T) {
	t.Parallel()
	const n = 30
	w, _, fresh := headStoredWorld(t, storagetest.Backends()[0], n)
	s := newStreamServer(t, w.store)
	// The test holds the one render slot, so that the warm-up stops at
	// its first read of stored blocks until the request has joined.
	s.feedGate = gate.New(1, time.Minute)
	ctx := context.Background()
	if !s.feedGate.Enter(ctx) {
		t.Fatal("could not take the render slot")
	}
	var release sync.Once
	leave := func() { release.Do(s.feedGate.Leave) }
	defer leave() // on a failure too, so that nothing waits out the gate
	warmed := make(chan error, 1)
	go func() {
		n, err := s.WarmFeeds(ctx)
		if err == nil && n != 1 {
			err = fmt.Errorf("warmed %d feeds, want 1", n)
		}
		warmed <- err
	}()
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answered := make(chan answer, 1)
	waitFor(t, "the warm-up to start its layout", func() bool { return joinedStreams(s) >= 0 })
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	go func() {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+w.eu, nil)
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := hs.Client().Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		answered <- answer{resp.StatusCode, body, err}
	}()
	waitFor(t, "the request to join the warm-up's layout", func() bool { return joinedStreams(s) == 1 })
	leave()
	a := <-answered
	if err := <-warmed; err != nil {
		t.Fatal(err)
	}
	if a.err != nil || a.status != http.StatusOK || !bytes.Equal(a.body, fresh) {
		t.Fatalf("the request during the warm-up: %v, %d; same bytes as laid out: %v", a.err, a.status, bytes.Equal(a.body, fresh))
	}
	if s.feedCache.streamed.Load() != 1 || s.feedCache.loaded.Load() != n+1 {
		t.Fatalf("%d answers streamed and %d events read; want the request streamed and the feed's %d events read once", s.feedCache.streamed.Load(), s.feedCache.loaded.Load(), n+1)
	}
}

// joinedStreams is how many streams wait on or read from the one layout
// in progress; -1 when none is.
func joinedStreams(s *Server) int {
	s.fanoutMu.Lock()
	defer s.fanoutMu.Unlock()
	for _, fo := range s.fanouts {
		fo.mu.Lock()
		defer fo.mu.Unlock()
		return len(fo.streams)
	}
	return -1
}

// waitFor polls cond until it holds (failing after ten seconds).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// changeInALaterSecond retitles an activity once the second its data was
// last written in has passed, so that its LAST-MODIFIED is later than
// every other row's of a fixture written at once.
func changeInALaterSecond(t *testing.T, store *storage.Store, id int64) {
	t.Helper()
	ctx, sys := context.Background(), models.System()
	v, err := store.GetActivity(ctx, sys, id)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(v.UpdatedAt.Truncate(time.Second).Add(time.Second)))
	in := v.Input()
	in.Title += " (moved)"
	if _, err := store.UpdateActivity(ctx, sys, id, in, storage.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// distinctStamps counts the distinct DTSTAMP values of a calendar.
func distinctStamps(cal []byte) int {
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`DTSTAMP:(\S+)`).FindAllSubmatch(cal, -1) {
		seen[string(m[1])] = true
	}
	return len(seen)
}

// panicWriter is a response writer whose writes after the first panic: a
// fault inside a stream's writer goroutine.
type panicWriter struct {
	http.ResponseWriter
	n int
}

func (w *panicWriter) Write(p []byte) (int, error) {
	if w.n++; w.n > 1 {
		panic("injected fault in a write")
	}
	return w.ResponseWriter.Write(p)
}

// TestFeedStreamWriterPanicGivesBackItsBytes: a panic in a stream's
// writer fails the answer without ending the process, and every byte it
// held, the chunk being written included, is given back to the server's
// bound for all streams.
func TestFeedStreamWriterPanicGivesBackItsBytes(t *testing.T) {
	t.Parallel()
	s, _ := feedFixture(t, 1, nil)
	start := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	blocks, err := calendar.RenderEvents([]calendar.Event{{UID: "1@x", Title: "x", Start: start, End: start.Add(time.Hour), TimeZone: "UTC"}})
	if err != nil {
		t.Fatal(err)
	}
	c := s.echo.NewContext(httptest.NewRequest(http.MethodGet, "/feeds/x.ics", nil), &panicWriter{ResponseWriter: httptest.NewRecorder()})
	st := s.newFeedStream(c, "v1")
	st.begin(s, storage.FeedHead{Head: []byte("BEGIN:VCALENDAR\r\n"), Size: 1000, StampS: start.Unix()}, calendar.Calendar{Stamp: start})
	st.add(blocks)
	st.add(blocks)
	st.end(true) // waits for the writer
	if st.failed == nil || s.streamHeld.Load() != 0 || st.queued != 0 {
		t.Fatalf("after a panic in the writer: failed %v, %d bytes held by the server, %d by the stream", st.failed, s.streamHeld.Load(), st.queued)
	}
}
