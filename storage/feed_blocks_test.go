package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestStoredFeedBlocks: a stored block is returned only for the tag and
// the version the caller lists; a newer version replaces an older one and
// an older write never replaces a newer.
func TestStoredFeedBlocks(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx, sys := context.Background(), models.System()
		start := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
		ids := make([]int64, 3)
		for i := range ids {
			res, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("Talks %d", i), Start: start.AddDate(0, 0, i), End: start.AddDate(0, 0, i).Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU"}, storage.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = res.Activity.ID
		}
		block := func(id int64, version int, tag, data string) storage.StoredBlock {
			return storage.StoredBlock{ActivityID: id, Version: version, Tag: tag, Data: []byte(data)}
		}
		save := func(want int, blocks ...storage.StoredBlock) {
			t.Helper()
			if n, err := s.SaveFeedBlocks(ctx, blocks); err != nil || n != want {
				t.Fatalf("stored %d blocks (%v), want %d", n, err, want)
			}
		}
		// One call naming an activity twice (two feeds rendered it at once)
		// keeps its newest; a block of an activity that no longer exists
		// is left out without failing the others.
		save(3, block(ids[0], 1, "r1", "a1"), block(ids[1], 1, "r1", "b0"), block(ids[2], 1, "r0", "c1"),
			block(ids[1], 1, "r1", "b1"), block(ids[2]+1000, 1, "r1", "purged"))
		// A newer version replaces; an older one written later does not.
		save(1, block(ids[0], 2, "r1", "a2"))
		save(1, block(ids[0], 1, "r1", "a1 again"))
		for _, tc := range []struct {
			name  string
			tag   string
			items []models.FeedItem
			want  map[int64]string
		}{
			{"listed versions", "r1", []models.FeedItem{{ID: ids[0], Version: 2}, {ID: ids[1], Version: 1}}, map[int64]string{ids[0]: "a2", ids[1]: "b1"}},
			{"an older version listed", "r1", []models.FeedItem{{ID: ids[0], Version: 1}}, map[int64]string{}},
			{"a newer version listed", "r1", []models.FeedItem{{ID: ids[1], Version: 2}}, map[int64]string{}},
			{"another tag", "r1", []models.FeedItem{{ID: ids[2], Version: 1}}, map[int64]string{}},
			{"its tag", "r0", []models.FeedItem{{ID: ids[2], Version: 1}, {ID: ids[0], Version: 2}}, map[int64]string{ids[2]: "c1"}},
			{"nothing listed", "r1", nil, map[int64]string{}},
		} {
			got, err := s.StoredFeedBlocks(ctx, tc.tag, tc.items)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("%s: got %d blocks, want %d", tc.name, len(got), len(tc.want))
			}
			for id, data := range tc.want {
				if string(got[id]) != data {
					t.Errorf("%s: activity %d: got %q, want %q", tc.name, id, got[id], data)
				}
			}
		}
	})
}
