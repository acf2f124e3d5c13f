package api

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedChangedWhileAssembled: an activity restricted to the EU by
// another process between a NATO feed's listing (reused for a second while
// this process writes nothing) and the reading of its rows is neither
// shown nor cached under the version listed: the request is answered 503
// with Retry-After, and the next listing leaves the activity out.
func TestFeedChangedWhileAssembled(t *testing.T) {
	t.Parallel()
	store, other, path := twoProcesses(t)
	ctx, sys := context.Background(), models.System()
	s := testServer(t, store, nil)
	_, token, err := store.CreateFeed(ctx, sys, models.FeedInput{Name: "NATO", Owner: models.FeedOwner{Type: "organization", IDOrCode: "NATO"}}, s.cfg.MaxFeedsPerOwner)
	if err != nil {
		t.Fatal(err)
	}
	feed := "/feeds/" + token + ".ics"
	const secret = "Restricted: EU only"
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10).Add(9 * time.Hour)
	// The second fetch must come within the listing's reuse; on a machine
	// too slow for that, the attempt is made again.
	for attempt := 0; attempt < 3; attempt++ {
		day := start.AddDate(0, 0, attempt)
		in := models.ActivityInput{Kind: "meeting", Title: "Open staff talks", Start: day, End: day.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
		res, err := store.CreateActivity(ctx, sys, in, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		listed := time.Now()
		if r := get(s, feed); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "Open staff talks") {
			t.Fatalf("first fetch: %d\n%s", r.Code, r.Body)
		}
		// Rendered blocks and layouts gone, in memory and in the database:
		// rows must be read.
		s.feedCache = newFeedCache(s.cfg.FeedCacheBytes)
		s.blocks.flush()
		storagetest.ReadRows(t, "sqlite", path, "DELETE FROM feed_blocks RETURNING activity_id")
		in.Title, in.Visibility = secret, []models.Ref{"EU"}
		if _, err := other.UpdateActivity(ctx, sys, res.Activity.ID, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		r := get(s, feed)
		if strings.Contains(r.Body.String(), secret) {
			t.Fatalf("the NATO feed shows an activity restricted to the EU:\n%s", r.Body)
		}
		if time.Since(listed) >= feedStateTTL/2 {
			t.Logf("attempt %d took %s, past the listing's reuse; again", attempt, time.Since(listed))
			continue
		}
		if r.Code != http.StatusServiceUnavailable || r.Header().Get("Retry-After") == "" || !strings.Contains(r.Body.String(), "feed-changed") {
			t.Fatalf("fetch after the change: %d %v\n%s", r.Code, r.Header(), r.Body)
		}
		time.Sleep(feedStateTTL + 100*time.Millisecond)
		r = get(s, feed)
		if r.Code != http.StatusOK || strings.Contains(r.Body.String(), secret) {
			t.Fatalf("fetch once the listing is renewed: %d\n%s", r.Code, r.Body)
		}
		return
	}
	t.Fatal("no attempt fetched within the listing's reuse")
}

// twoProcesses opens two stores on one new SQLite file (path), as two
// processes would, with the EU and NATO as organisations.
func twoProcesses(t *testing.T) (store, other *storage.Store, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "two-processes.db")
	store = storagetest.OpenDSN(t, path)
	other = storagetest.OpenDSN(t, path)
	for _, o := range []models.OrganizationInput{{Code: "EU", Name: "European Union"}, {Code: "NATO", Name: "NATO"}} {
		if _, err := store.CreateOrganization(context.Background(), models.System(), o); err != nil {
			t.Fatal(err)
		}
	}
	return store, other, path
}

// TestFeedUnmovedByANewPerson: a person added to the service (as a first
// sign-in adds one) shows in no event, so every feed keeps its version —
// a client holding it gets a 304 — and nothing is rendered again. Before,
// the feeds' reference fingerprint took in every change to the people
// table, and each new person re-rendered and re-sent every feed.
func TestFeedUnmovedByANewPerson(t *testing.T) {
	t.Parallel()
	s, path := feedFixture(t, 5, nil)
	first := get(s, path)
	if first.Code != http.StatusOK {
		t.Fatalf("first fetch: %d", first.Code)
	}
	rendered := s.feedCache.rendered.Load()
	if _, err := s.store.CreatePerson(context.Background(), models.System(), models.PersonInput{Name: "Cleo", Email: "cleo@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(feedStateTTL + 100*time.Millisecond) // the listing is read again
	if r := get(s, path, "If-None-Match", first.Header().Get("ETag")); r.Code != http.StatusNotModified {
		t.Fatalf("after a new person: %d, ETag %q, was %q; want 304", r.Code, r.Header().Get("ETag"), first.Header().Get("ETag"))
	}
	if r := get(s, path); r.Code != http.StatusOK || s.feedCache.rendered.Load() != rendered {
		t.Fatalf("after a new person: %d, %d events rendered, %d before", r.Code, s.feedCache.rendered.Load(), rendered)
	}
}
