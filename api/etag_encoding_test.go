package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"github.com/jointcal/jointcal/models"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestGzipAnswersCarryWeakETags: a feed (streamed, then joined from its
// cached parts), an activity's calendar file and the conflicts agenda
// answer gzip under the weak form of the plain answer's strong ETag, since
// their compressed bytes are another representation (RFC 9110 §8.8.1);
// a client holding either form gets a 304 in either encoding, with the
// ETag of the encoding it asked for.
func TestGzipAnswersCarryWeakETags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner",
		meeting("EU", "Staff talks", "2031-06-03T10:00:00+02:00", "2031-06-03T12:00:00+02:00", person("ben@nato.example", true))), 201))
	e.expect(e.do("POST", "/api/v1/activities", "nato_planner",
		meeting("NATO", "NAC", "2031-06-03T11:00:00+02:00", "2031-06-03T13:00:00+02:00", person("ben@nato.example", true))), 201)
	url := e.expect(e.do("POST", "/api/v1/feeds", "eu_planner", map[string]any{"name": "EU", "owner": map[string]any{"type": "organization", "id_or_code": "EU"}}), 201).json(t)["url"].(string)
	feed := url[strings.Index(url, "/feeds/"):]
	for _, tc := range []struct{ name, path, who string }{
		{"feed, first answer", feed, ""},
		{"feed, cached", feed, ""},
		{"activity calendar", "/api/v1/activities/" + strconv.FormatInt(id, 10) + ".ics", "eu_planner"},
		{"conflicts agenda", "/api/v1/conflicts?from=2031-06-01T00:00:00Z&to=2031-07-01T00:00:00Z", "eu_planner"},
	} {
		zipped := e.expect(e.do("GET", tc.path, tc.who, nil, "Accept-Encoding", "gzip"), http.StatusOK)
		plain := e.expect(e.do("GET", tc.path, tc.who, nil, "Accept-Encoding", "identity"), http.StatusOK)
		strong, weak := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
		if !strings.HasPrefix(strong, `"`) || weak != "W/"+strong || zipped.Header.Get("Content-Encoding") != "gzip" || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s: plain ETag %q, gzip ETag %q (encoded %q)", tc.name, strong, weak, zipped.Header.Get("Content-Encoding"))
		}
		for _, held := range []string{strong, weak} {
			for encoding, want := range map[string]string{"gzip": weak, "identity": strong} {
				r := e.expect(e.do("GET", tc.path, tc.who, nil, "Accept-Encoding", encoding, "If-None-Match", held), http.StatusNotModified)
				if r.Header.Get("ETag") != want {
					t.Errorf("%s: If-None-Match %s in %s: 304 with ETag %q, want %q", tc.name, held, encoding, r.Header.Get("ETag"), want)
				}
			}
		}
	}
}

// TestActivityCalendarFollowsRenames: an activity's calendar file shows
// its participants' names, which change without the activity's version
// moving; once one is renamed (here to a name of the same length, so
// that the body's length does not tell), the ETag moves, a client holding
// the old one gets the new file, and a gzip client is not served the
// compressed old one.
func TestActivityCalendarFollowsRenames(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storagetest.Open(t))
	id := idOf(t, e.expect(e.do("POST", "/api/v1/activities", "eu_planner",
		meeting("EU", "Staff talks", "2031-06-03T10:00:00+02:00", "2031-06-03T12:00:00+02:00", person("ben@nato.example", true))), 201))
	path := "/api/v1/activities/" + strconv.FormatInt(id, 10) + ".ics"
	first := e.expect(e.do("GET", path, "eu_planner", nil, "Accept-Encoding", "gzip"), http.StatusOK)
	ctx := context.Background()
	ben, err := e.store.GetPerson(ctx, "ben@nato.example")
	if err != nil {
		t.Fatal(err)
	}
	in := ben.Input()
	in.Name = strings.Repeat("Z", len(ben.Name))
	if _, err := e.store.UpdatePerson(ctx, models.System(), ben.ID, 0, in); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", path, "eu_planner", nil, "Accept-Encoding", "gzip", "If-None-Match", first.Header.Get("ETag")); r.Status != http.StatusOK {
		t.Fatalf("revalidation after a rename: %d, want the new file", r.Status)
	}
	zipped := e.expect(e.do("GET", path, "eu_planner", nil, "Accept-Encoding", "gzip"), http.StatusOK)
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(body), in.Name) || strings.Contains(string(body), "CN="+ben.Name) {
		t.Fatalf("the gzip file after the rename (%v) shows the new name %v, the old one %v", err, strings.Contains(string(body), in.Name), strings.Contains(string(body), "CN="+ben.Name))
	}
}
