package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// gunzipped fetches path gzip-compressed and returns the body inflated,
// failing unless it is one well-formed gzip member of the length the
// answer announced.
func gunzipped(t *testing.T, s *Server, path string) []byte {
	t.Helper()
	r := get(s, path, "Accept-Encoding", "gzip")
	if r.Code != http.StatusOK || r.Header().Get("Content-Encoding") != "gzip" || r.Header().Get("Content-Length") != strconv.Itoa(r.Body.Len()) {
		t.Fatalf("gzip fetch: %d %v", r.Code, r.Header())
	}
	br := bytes.NewReader(r.Body.Bytes())
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	plain, err := io.ReadAll(zr) // checks the CRC-32 and the length
	if err != nil || br.Len() != 0 {
		t.Fatalf("inflating the answer: %v, %d bytes after the member", err, br.Len())
	}
	return plain
}

// TestFeedGzipAfterOneChange: a feed served gzip-compressed is the plain
// feed, and after one activity changes only that activity's part is
// compressed again; the other events keep their bytes, DTSTAMP included,
// and the changed one is stamped with its own change.
func TestFeedGzipAfterOneChange(t *testing.T) {
	t.Parallel()
	const n = 1500 // some six parts of about 256 events
	w := newStoredBlocksWorld(t, storagetest.Backends()[0], n)
	s := testServer(t, w.store, nil)

	before := get(s, w.eu).Body.Bytes()
	if got := gunzipped(t, s, w.eu); !bytes.Equal(got, before) {
		t.Fatalf("gzip body inflates to %d bytes, the plain feed is %d", len(got), len(before))
	}
	parts := s.feedCache.compressedParts.Load()
	if parts < 5 {
		t.Fatalf("a feed of %d events compressed in %d parts", n+1, parts)
	}
	gunzipped(t, s, w.eu)
	if again := s.feedCache.compressedParts.Load(); again != parts {
		t.Fatalf("the same version fetched again compressed %d parts", again-parts)
	}

	ctx := context.Background()
	changed := w.open[n/2]
	v, err := w.store.GetActivity(ctx, models.System(), changed)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(v.UpdatedAt.Truncate(time.Second).Add(time.Second))) // a later second for its stamp
	in := models.ActivityInput{Kind: "meeting", Title: "Moved staff talks", Start: v.Start, End: v.End, TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
	if _, err := w.store.UpdateActivity(ctx, models.System(), changed, in, storage.WriteOptions{}); err != nil {
		t.Fatal(err)
	}

	after := gunzipped(t, s, w.eu)
	if plain := get(s, w.eu).Body.Bytes(); !bytes.Equal(after, plain) {
		t.Fatalf("after the change, gzip inflates to %d bytes, the plain feed is %d", len(after), len(plain))
	}
	if moved := s.feedCache.compressedParts.Load() - parts; moved != 1 {
		t.Fatalf("after one change %d parts were compressed, want 1", moved)
	}
	old, cur := strings.Split(string(before), "BEGIN:VEVENT"), strings.Split(string(after), "BEGIN:VEVENT")
	if len(old) != len(cur) {
		t.Fatalf("%d events before, %d after", len(old)-1, len(cur)-1)
	}
	var differ []string
	for i := range old {
		if old[i] != cur[i] {
			differ = append(differ, cur[i])
		}
	}
	if len(differ) != 1 || !strings.Contains(differ[0], "Moved staff talks") {
		t.Fatalf("%d events differ after one change:\n%s", len(differ), strings.Join(differ, "\n---\n"))
	}
	stamp := regexpFind(t, `DTSTAMP:(\S+)`, differ[0])
	modified := regexpFind(t, `LAST-MODIFIED:(\S+)`, differ[0])
	if stamp != modified {
		t.Fatalf("the changed event's DTSTAMP is %s, its LAST-MODIFIED %s", stamp, modified)
	}
}

// regexpFind returns the first group of pattern's first match in s.
func regexpFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%s", pattern, s)
	}
	return m[1]
}
