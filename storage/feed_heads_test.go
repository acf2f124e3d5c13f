package storage_test

import (
	"context"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestStoredFeedHead: a head is returned only for the version and tag it
// was stored under; a later save replaces it; a head of a feed that no
// longer exists is not stored.
func TestStoredFeedHead(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		f, _, err := s.CreateFeed(ctx, models.System(), models.FeedInput{Name: "EU", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 10)
		if err != nil {
			t.Fatal(err)
		}
		head := func(version, tag, body string) storage.FeedHead {
			return storage.FeedHead{FeedID: f.ID, Version: version, Tag: tag, StampS: 1_800_000_000, Size: 1234, Head: []byte(body)}
		}
		if err := s.SaveFeedHeads(ctx, []storage.FeedHead{head("v1", "t", "BEGIN:VCALENDAR one"), head("v2", "t", "BEGIN:VCALENDAR two"), {FeedID: f.ID + 1000, Version: "v1", Tag: "t", Head: []byte("x")}}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			version, tag string
			want         string // "" for none
		}{
			{"v2", "t", "BEGIN:VCALENDAR two"},
			{"v1", "t", ""}, // replaced by v2, the last given
			{"v2", "other", ""},
		} {
			got, ok, err := s.StoredFeedHead(ctx, f.ID, tc.version, tc.tag)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.want != "") || string(got.Head) != tc.want {
				t.Errorf("%s/%s: %q (found %v), want %q", tc.version, tc.tag, got.Head, ok, tc.want)
			}
			if ok && (got.StampS != 1_800_000_000 || got.Size != 1234) {
				t.Errorf("%s/%s: stamp %d size %d, want what was stored", tc.version, tc.tag, got.StampS, got.Size)
			}
		}
		if _, ok, err := s.StoredFeedHead(ctx, f.ID+1000, "v1", "t"); ok || err != nil {
			t.Errorf("the head of a feed that does not exist was stored (%v)", err)
		}
		if err := s.SaveFeedHeads(ctx, []storage.FeedHead{head("v3", "t", "three")}); err != nil {
			t.Fatal(err)
		}
		if got, ok, _ := s.StoredFeedHead(ctx, f.ID, "v3", "t"); !ok || string(got.Head) != "three" {
			t.Errorf("after a second save: %q (%v), want the new head", got.Head, ok)
		}
	})
}
