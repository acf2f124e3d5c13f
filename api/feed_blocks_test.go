package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// storedBlocksWorld is an EU feed and a NATO feed over n open activities
// led by the EU and one restricted to the EU, on a database of the backend
// given; it returns the store, its DSN, both feeds' paths and the
// restricted activity's id.
type storedBlocksWorld struct {
	store      *storage.Store
	dsn        string
	eu, nato   string
	restricted int64
	open       []int64
}

const restrictedTitle = "Restricted: EU planning cell"

func newStoredBlocksWorld(t *testing.T, b storagetest.Backend, n int) storedBlocksWorld {
	t.Helper()
	w := storedBlocksWorld{dsn: b.DSN(t)}
	w.store = storagetest.OpenDSN(t, w.dsn)
	ctx, sys := context.Background(), models.System()
	for _, o := range []models.OrganizationInput{{Code: "EU", Name: "European Union"}, {Code: "NATO", Name: "NATO"}} {
		if _, err := w.store.CreateOrganization(ctx, sys, o); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 5).Add(9 * time.Hour)
	for i := 0; i <= n; i++ {
		day := start.Add(time.Duration(i) * 3 * time.Hour)
		in := models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Open staff talks %d", i), Start: day, End: day.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
		if i == n {
			in.Title, in.Visibility = restrictedTitle, []models.Ref{"EU"}
		}
		res, err := w.store.CreateActivity(ctx, sys, in, storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if i == n {
			w.restricted = res.Activity.ID
		} else {
			w.open = append(w.open, res.Activity.ID)
		}
	}
	for _, org := range []string{"EU", "NATO"} {
		_, token, err := w.store.CreateFeed(ctx, sys, models.FeedInput{Name: org, Owner: models.FeedOwner{Type: "organization", IDOrCode: models.Ref(org)}}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if org == "EU" {
			w.eu = "/feeds/" + token + ".ics"
		} else {
			w.nato = "/feeds/" + token + ".ics"
		}
	}
	return w
}

// serve fetches path on a new server (an empty feed cache, as after a
// restart), closes it (which writes the blocks it rendered) and returns
// the body and how many events it rendered and read from the table.
func (w storedBlocksWorld) serve(t *testing.T, path string) (body string, rendered, loaded int64) {
	t.Helper()
	s := testServer(t, w.store, nil)
	r := get(s, path)
	if r.Code != http.StatusOK {
		t.Fatalf("%s: %d\n%s", path, r.Code, r.Body)
	}
	s.Close()
	return r.Body.String(), s.feedCache.rendered.Load(), s.feedCache.loaded.Load()
}

// forget deletes every stored block, so that the next server renders.
func (w storedBlocksWorld) forget(t *testing.T, backend string) {
	t.Helper()
	storagetest.ReadRows(t, backend, w.dsn, "DELETE FROM feed_blocks RETURNING activity_id")
}

// TestStoredBlocksAfterRestart, on both databases: a feed served after a
// restart from the blocks the first process stored is byte for byte the
// feed freshly rendered; an activity changed since is rendered again,
// never served from its stored block of the older version; and an
// activity restricted to the EU, whose block is stored, never reaches the
// NATO feed.
func TestStoredBlocksAfterRestart(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			const n = 12
			w := newStoredBlocksWorld(t, b, n)
			fresh, rendered, loaded := w.serve(t, w.eu)
			if rendered != n+1 || loaded != 0 || !strings.Contains(fresh, restrictedTitle) {
				t.Fatalf("first EU fetch rendered %d and loaded %d events, want %d rendered, the restricted one included", rendered, loaded, n+1)
			}

			got, rendered, loaded := w.serve(t, w.eu)
			if rendered != 0 || loaded != n+1 {
				t.Fatalf("EU fetch after a restart rendered %d and loaded %d events, want all %d loaded", rendered, loaded, n+1)
			}
			if got != fresh {
				t.Fatalf("the feed from stored blocks differs from the one rendered:\n%s\n---\n%s", got, fresh)
			}

			// The NATO feed lists only the open activities, so only their
			// blocks are looked up, though the restricted one's is stored.
			if rows := storagetest.ReadRows(t, b.Name, w.dsn, fmt.Sprintf("SELECT activity_id FROM feed_blocks WHERE activity_id = %d", w.restricted)); len(rows) != 1 {
				t.Fatalf("the restricted activity's block is not stored: %v", rows)
			}
			nato, rendered, loaded := w.serve(t, w.nato)
			if strings.Contains(nato, restrictedTitle) || rendered != 0 || loaded != n {
				t.Fatalf("NATO feed rendered %d and loaded %d events (want %d loaded, the restricted one left out):\n%s", rendered, loaded, n, nato)
			}

			// Change one open activity: its stored block is of the old
			// version, so it is rendered; the others are loaded.
			ctx, sys := context.Background(), models.System()
			v, err := w.store.GetActivity(ctx, sys, w.open[3])
			if err != nil {
				t.Fatal(err)
			}
			in := models.ActivityInput{Kind: "meeting", Title: "Renamed staff talks", Start: v.Start, End: v.End, TimeZone: "Europe/Brussels", LeadOrganization: "EU"}
			if _, err := w.store.UpdateActivity(ctx, sys, w.open[3], in, storage.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			changed, rendered, loaded := w.serve(t, w.eu)
			if rendered != 1 || loaded != n {
				t.Fatalf("EU fetch after one change rendered %d and loaded %d events, want 1 and %d", rendered, loaded, n)
			}
			if !strings.Contains(changed, "Renamed staff talks") || strings.Contains(changed, "Open staff talks 3\r\n") {
				t.Fatalf("the changed activity was served from its old block:\n%s", changed)
			}
			w.forget(t, b.Name)
			rerendered, rendered, _ := w.serve(t, w.eu)
			if rendered != n+1 || rerendered != changed {
				t.Fatalf("the feed rendered afresh (%d events) differs from the one served from stored blocks:\n%s\n---\n%s", rendered, rerendered, changed)
			}
		})
	}
}

// TestBlockKeeperCountsWhatItCannotKeep: blocks offered while the writer
// is behind and the queue is at its bound are not kept, and are counted
// (and logged), never lost silently; what was queued is written at close.
func TestBlockKeeperCountsWhatItCannotKeep(t *testing.T) {
	t.Parallel()
	b := storagetest.Backends()[0]
	w := newStoredBlocksWorld(t, b, 2)
	blocks, err := calendar.RenderEvents([]calendar.Event{
		{UID: "a@example", Title: "a", Start: time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)},
		{UID: "b@example", Title: "b", Start: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC)},
	})
	if err != nil {
		t.Fatal(err)
	}
	k := newBlockKeeper(w.store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	k.limit = int64(blocks[0].Size())
	k.writing.Lock() // the writer is busy: nothing queued is taken
	k.add([]keptBlock{{id: w.open[0], version: 1, tag: "t", block: blocks[0]}})
	k.add([]keptBlock{{id: w.open[1], version: 1, tag: "t", block: blocks[1]}})
	k.writing.Unlock()
	k.close()
	if stored, dropped, failed := k.stored.Load(), k.dropped.Load(), k.failed.Load(); stored != 1 || dropped != 1 || failed != 0 {
		t.Fatalf("stored %d, dropped %d, failed %d blocks; want 1, 1, 0", stored, dropped, failed)
	}
	rows := storagetest.ReadRows(t, b.Name, w.dsn, "SELECT activity_id, version, tag FROM feed_blocks")
	if want := fmt.Sprintf("%d | 1 | t", w.open[0]); len(rows) != 1 || rows[0] != want {
		t.Fatalf("feed_blocks holds %v, want [%s]", rows, want)
	}
}
