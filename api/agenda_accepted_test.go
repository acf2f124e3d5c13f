package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestConflictAgendaHidesAccepted: accepted=hide leaves the accepted
// clashes out, whole or paged: a page of limit N holds N clashes none of
// them accepted, even when the accepted ones come first, and the pages
// hold every unaccepted clash once, in order; an answer that shows them
// is not served for one that hides them from the cache; another value is
// a 422 problem naming accepted.
func TestConflictAgendaHidesAccepted(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		sys := models.System()
		base := time.Date(2031, 6, 3, 8, 0, 0, 0, time.UTC)
		// Four slots of three PSC meetings: three clashes each.
		for slot := range 4 {
			for i := range 3 {
				at := base.Add(time.Duration(slot) * 2 * time.Hour)
				if _, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: fmt.Sprintf("PSC %d.%d", slot, i), Start: at, End: at.Add(time.Hour),
					LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{OverrideReason: "test clash"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		const window = "/api/v1/conflicts?from=2031-06-01T00:00:00Z&to=2031-07-01T00:00:00Z"
		type agenda struct {
			Items      []models.ListedConflict `json:"items"`
			NextCursor *string                 `json:"next_cursor"`
		}
		get := func(query string) agenda {
			t.Helper()
			var a agenda
			if err := json.Unmarshal(e.expect(e.do("GET", window+query, "admin", nil), 200).Body, &a); err != nil {
				t.Fatal(err)
			}
			return a
		}
		all := get("")
		if len(all.Items) != 12 {
			t.Fatalf("%d clashes, want 12", len(all.Items))
		}
		// The first two slots' clashes are accepted, then every other one.
		accepted := map[models.ConflictKey]bool{}
		var want []models.ConflictKey
		for i, c := range all.Items {
			if i < 6 || i%2 == 0 {
				if _, err := s.AcceptConflict(ctx, sys, c.Key(), "agreed"); err != nil {
					t.Fatal(err)
				}
				accepted[c.Key()] = true
				continue
			}
			want = append(want, c.Key())
		}
		keys := func(list []models.ListedConflict) []models.ConflictKey {
			var out []models.ConflictKey
			for _, c := range list {
				out = append(out, c.Key())
			}
			return out
		}
		if got := get("&accepted=show"); len(got.Items) != len(all.Items) {
			t.Errorf("accepted=show: %d clashes, want all %d", len(got.Items), len(all.Items))
		}
		if got := keys(get("&accepted=hide").Items); !slices.Equal(got, want) {
			t.Errorf("the whole window hiding accepted clashes:\n got %v\nwant %v", got, want)
		}
		const limit = 2
		var paged []models.ConflictKey
		query := fmt.Sprintf("&accepted=hide&limit=%d", limit)
		for n := 0; ; n++ {
			if n > len(all.Items) {
				t.Fatal("the pages do not end")
			}
			page := get(query)
			if page.NextCursor != nil && len(page.Items) != limit {
				t.Errorf("page %d: %d items before the last page, want %d", n, len(page.Items), limit)
			}
			for _, c := range page.Items {
				if accepted[c.Key()] {
					t.Errorf("page %d: an accepted clash %v", n, c.Key())
				}
			}
			paged = append(paged, keys(page.Items)...)
			if page.NextCursor == nil {
				break
			}
			query = fmt.Sprintf("&accepted=hide&limit=%d&cursor=%s", limit, *page.NextCursor)
		}
		if !slices.Equal(paged, want) {
			t.Errorf("the pages hiding accepted clashes:\n got %v\nwant %v", paged, want)
		}

		r := e.expect(e.do("GET", window+"&accepted=maybe", "admin", nil), 422)
		if kind, fields := problemOf(t, r); kind != "urn:jointcal:problem:validation-error" || !slices.Contains(fields, "accepted") {
			t.Errorf("accepted=maybe: %s naming %v, want a validation error naming accepted", kind, fields)
		}
	})
}
