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

// TestAgendaHidesAcceptedClashes: with HideAccepted, the store leaves the
// accepted clashes out before it fills a page, so that a page of limit N
// holds N clashes none of them accepted (however many accepted ones come
// first), and the pages, one after the other, are every unaccepted clash
// of the window exactly once, in the agenda's order — the whole window's
// answer with the same filter.
func TestAgendaHidesAcceptedClashes(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		psc := []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}
		base := mustTime(t, "2031-04-01T08:00:00Z")
		// Six slots of three PSC meetings: three clashes each.
		for slot := range 6 {
			for i := range 3 {
				at := base.Add(time.Duration(slot) * 2 * time.Hour)
				if _, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("PSC %d.%d", slot, i), Start: at, End: at.Add(time.Hour), LeadOrganization: "EU", Participants: psc}, storage.WriteOptions{OverrideReason: "test clash"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		f := models.ConflictFilter{From: mustTime(t, "2031-04-01T00:00:00Z"), To: mustTime(t, "2031-04-02T00:00:00Z")}
		all, err := s.ListConflicts(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 18 {
			t.Fatalf("%d clashes, want 18", len(all))
		}
		// The first nine (three slots) are accepted, then every third.
		accepted := map[models.ConflictKey]bool{}
		var want []string
		for i, c := range all {
			if i < 9 || i%3 == 0 {
				if _, err := s.AcceptConflict(ctx, sys, c.Key(), "agreed"); err != nil {
					t.Fatal(err)
				}
				accepted[c.Key()] = true
				continue
			}
			want = append(want, fmt.Sprint(c.Key()))
		}

		f.HideAccepted = true
		whole, err := s.ListConflicts(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(whole); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("the whole window hiding accepted clashes:\n got %v\nwant %v", got, want)
		}
		for _, limit := range []int{1, 2, 4, 50} {
			var got []string
			cursor := ""
			for n := 0; ; n++ {
				if n > len(all) {
					t.Fatalf("limit %d: the pages do not end", limit)
				}
				page, err := s.ListConflictsPage(ctx, sys, f, models.ListOptions{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatalf("limit %d, page %d: %v", limit, n, err)
				}
				if page.NextCursor != "" && len(page.Items) != limit {
					t.Errorf("limit %d, page %d: %d items before the last page", limit, n, len(page.Items))
				}
				for _, c := range page.Items {
					if accepted[c.Key()] {
						t.Errorf("limit %d, page %d: an accepted clash %v", limit, n, c.Key())
					}
				}
				got = append(got, keysOf(page.Items)...)
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("limit %d: the pages hold\n %v\nwant\n %v", limit, got, want)
			}
		}
	})
}

// keysOf are the keys of list, printed, in its order.
func keysOf(list []models.ListedConflict) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = fmt.Sprint(c.Key())
	}
	return out
}
