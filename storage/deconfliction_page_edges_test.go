package storage_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/demo"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// pagesOf follows the agenda's pages of limit items to the end and
// returns their items and how many pages stopped short of limit with a
// next page (a page's span spent).
func pagesOf(t *testing.T, s *storage.Store, a models.Actor, f models.ConflictFilter, limit int) (items []models.ListedConflict, short int) {
	t.Helper()
	cursor := ""
	for n := 0; n < 2000; n++ {
		page, err := s.ListConflictsPage(context.Background(), a, f, models.ListOptions{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		if len(page.Items) > limit {
			t.Fatalf("page %d holds %d items, limit %d", n, len(page.Items), limit)
		}
		items = append(items, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return items, short
		}
		if len(page.Items) < limit {
			short++
		}
	}
	t.Fatal("more than 2000 pages")
	return nil, 0
}

// samePages fails unless the pages of each limit are exactly whole.
func samePages(t *testing.T, s *storage.Store, a models.Actor, f models.ConflictFilter, whole []models.ListedConflict, limits ...int) {
	t.Helper()
	want, _ := json.Marshal(whole)
	for _, limit := range limits {
		paged, _ := pagesOf(t, s, a, f, limit)
		if got, _ := json.Marshal(paged); string(got) != string(want) {
			t.Fatalf("limit %d: the pages (%d items) differ from the agenda (%d items)\n got %.2000s\nwant %.2000s", limit, len(paged), len(whole), got, want)
		}
	}
}

// TestAgendaPagesBufferAfterThePart: a buffer clash that only the later
// side reports (its room's 3-hour buffer; the earlier meeting has none)
// is placed at the gap, before that side's occurrence: a part ending in
// the gap must still find it, whatever the page size puts its edge.
func TestAgendaPagesBufferAfterThePart(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		if _, err := demo.Scale(ctx, s, 1, time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC), 7, nil); err != nil {
			t.Fatal(err)
		}
		venues, err := s.ListVenues(ctx, models.VenueFilter{ListOptions: models.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range venues.Items {
			if v.Code == "ROOM-2" {
				in := v.Input()
				in.BufferSeconds = 3 * 3600
				if _, err := s.UpdateVenue(ctx, sys, v.ID, v.Version, in); err != nil {
					t.Fatal(err)
				}
			}
		}
		d := time.Date(2031, 6, 2, 0, 0, 0, 0, time.UTC)
		book := func(title string, h, m, minutes int, person, venue string) {
			from := d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
			in := models.ActivityInput{Kind: "meeting", Title: title, Start: from, End: from.Add(time.Duration(minutes) * time.Minute), TimeZone: "UTC", LeadOrganization: "EU",
				Venue: models.Ref(venue), Participants: []models.ParticipantInput{{Type: "person", IDOrCode: models.Ref(person)}}}
			if _, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{OverrideReason: "edge test"}); err != nil {
				t.Fatal(err)
			}
		}
		book("X1", 8, 0, 30, "staff5@scale.example", "")
		book("X2", 9, 0, 30, "staff6@scale.example", "")
		book("B", 10, 0, 60, "staff1@scale.example", "")
		book("C", 11, 10, 10, "staff7@scale.example", "")
		book("A", 11, 30, 60, "staff1@scale.example", "ROOM-2")
		f := models.ConflictFilter{From: d.Add(8 * time.Hour), To: d.Add(20 * time.Hour)}
		whole, err := s.ListConflicts(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(whole) != 1 || whole[0].Rule != "buffer" || whole[0].Activity.Title != "A" {
			t.Fatalf("want A's buffer clash alone, got %+v", whole)
		}
		samePages(t, s, sys, f, whole, 1, 2, 3, 4)
	})
}

// TestAgendaPagesMovedInstance: an imported series whose moved instance
// lands on the next one's slot, declined: its two occurrences share a
// span, and the agenda lists their reply item once, so that no two items
// share a place and a page resuming after one cannot skip the other.
func TestAgendaPagesMovedInstance(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		s.SetClock(func() time.Time { return time.Date(2031, 1, 15, 9, 0, 0, 0, time.UTC) })
		world(t, s)
		body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
			"BEGIN:VEVENT\r\nUID:tie-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20310303T090000Z\r\nDTEND:20310303T100000Z\r\n" +
			"SUMMARY:Staff talks\r\nRRULE:FREQ=DAILY;COUNT=4\r\nATTENDEE;ROLE=REQ-PARTICIPANT:mailto:ana@eeas.example\r\nEND:VEVENT\r\n" +
			"BEGIN:VEVENT\r\nUID:tie-1\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:20310304T090000Z\r\nDTSTART:20310305T090000Z\r\nDTEND:20310305T100000Z\r\n" +
			"SUMMARY:Staff talks\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		parsed, err := calendar.ParseImport(strings.NewReader(body), calendar.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Import(ctx, sys, parsed, models.ImportOptions{Organization: "EU"}); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListActivities(ctx, sys, models.ActivityFilter{Q: "Staff talks"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("the imported series: %v, %d found", err, len(page.Items))
		}
		v := page.Items[0]
		for _, p := range v.Participants {
			if p.Type == "person" {
				if _, err := s.ReplyFor(ctx, p.ID, v.ID, models.ReplyInput{PartStat: string(models.RSVPDeclined)}, models.ChannelAPI); err != nil {
					t.Fatal(err)
				}
			}
		}
		f := models.ConflictFilter{From: time.Date(2031, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2031, 3, 8, 0, 0, 0, 0, time.UTC)}
		whole, err := s.ListConflicts(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		declined := map[time.Time]int{}
		for _, c := range whole {
			if c.Rule == models.RuleRequiredDeclined {
				declined[c.Overlap.Start.UTC()]++
			}
		}
		if len(declined) != 3 {
			t.Fatalf("declined items at %v: want the three distinct slots", declined)
		}
		for at, n := range declined {
			if n != 1 {
				t.Errorf("%d declined items at %s, want one", n, at)
			}
		}
		samePages(t, s, sys, f, whole, 1, 2)
	})
}

// TestAgendaPagesSpanSpent: a page that spends its span before it is
// full (a rule filter matching few items) stops short with a cursor at
// its last part's edge, and the pages still make the whole agenda.
func TestAgendaPagesSpanSpent(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		start, _ := crowdedAgendaWorld(t, s)
		s.SetAgendaSpan(40)
		for _, f := range []models.ConflictFilter{
			{From: start.AddDate(0, 0, 9), To: start.AddDate(0, 0, 13)},
			{From: start.AddDate(0, 0, 2), To: start.AddDate(0, 0, 19), Rule: "blackout"},
		} {
			whole, err := s.ListConflicts(ctx, sys, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range whole {
				if f.Rule != "" && c.Rule != f.Rule {
					t.Fatalf("rule %s: a %s item", f.Rule, c.Rule)
				}
			}
			if len(whole) < 10 {
				t.Fatalf("%v: %d items: the data set proves nothing", f, len(whole))
			}
			samePages(t, s, sys, f, whole, 7, 50)
			if _, short := pagesOf(t, s, sys, f, 50); f.Rule != "" && short == 0 {
				t.Errorf("%v: no page stopped short with a span of 40 starts", f)
			}
		}
	})
}
