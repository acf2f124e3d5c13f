package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// mixedFile is a generated partner calendar of n events crowded into a
// few weeks (they overlap each other and what is booked), with every
// feature an import maps: attendees known and unknown, exercises (whose
// organisations conflict), series with moved and cancelled instances,
// cancelled and tentative events, reminders, locations and conference
// links. invalid (when ≥ 0) is an event too long to book; edit changes
// the events it picks (a title, an attendee, a category, a reminder, an
// override, a time).
func mixedFile(t *testing.T, n, invalid int, seed int64, edit func(i int) bool) *calendar.ImportResult {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	base := time.Date(2031, 3, 3, 7, 0, 0, 0, time.UTC)
	const days = 2
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//jointcal tests//EN\r\n")
	people := []string{"ana@eeas.example", "ben@nato.example", "stranger@elsewhere.example"}
	for i := 0; i < n; i++ {
		changed := edit != nil && edit(i)
		start := base.Add(time.Duration(r.Intn(days*24*4)) * 15 * time.Minute)
		end := start.Add(time.Duration(2+r.Intn(10)) * 15 * time.Minute)
		if i == invalid {
			end = start.Add(400 * 24 * time.Hour)
		}
		title := fmt.Sprintf("mixed event %d", i)
		pick := r.Intn(12)
		if changed {
			switch i % 6 {
			case 0:
				title += " (renamed)"
			case 1:
				start, end = start.Add(30*time.Minute), end.Add(30*time.Minute)
			}
		}
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:mixed-%d\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n",
			i, start.Format("20060102T150405Z"), end.Format("20060102T150405Z"), title)
		for k, p := range people {
			if r.Intn(3) == 0 || (changed && i%6 == 2 && k == 1) {
				role := []string{"REQ-PARTICIPANT", "OPT-PARTICIPANT", "CHAIR"}[r.Intn(3)]
				fmt.Fprintf(&b, "ATTENDEE;ROLE=%s:mailto:%s\r\n", role, p)
			}
		}
		switch {
		case pick == 0 || (changed && i%6 == 3):
			b.WriteString("CATEGORIES:Exercise\r\n")
		case pick == 1:
			b.WriteString("CATEGORIES:Cross briefing\r\n")
		case pick == 2:
			b.WriteString("STATUS:CANCELLED\r\n")
		case pick == 3:
			b.WriteString("STATUS:TENTATIVE\r\n")
		case pick == 4:
			b.WriteString("LOCATION:Room 3\r\nCONFERENCE;VALUE=URI:https://meet.example/x\r\n")
		}
		recurring := pick >= 9
		if recurring {
			b.WriteString("RRULE:FREQ=DAILY;COUNT=5\r\n")
		}
		if r.Intn(4) == 0 || (changed && i%6 == 4) {
			trigger := "-PT1H"
			if changed && i%6 == 4 {
				trigger = "-PT2H"
			}
			b.WriteString("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:" + trigger + "\r\nEND:VALARM\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
		if recurring && (pick == 10 || (changed && i%6 == 5)) {
			// The second instance moved by an hour (two hours when edited).
			rid := start.Add(24 * time.Hour)
			shift := time.Hour
			if changed && i%6 == 5 {
				shift = 2 * time.Hour
			}
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:mixed-%d\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nEND:VEVENT\r\n",
				i, rid.Format("20060102T150405Z"), rid.Add(shift).Format("20060102T150405Z"), rid.Add(shift).Add(end.Sub(start)).Format("20060102T150405Z"), title)
		}
		if recurring && pick == 11 {
			rid := start.Add(48 * time.Hour)
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:mixed-%d\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSTATUS:CANCELLED\r\nSUMMARY:%s\r\nEND:VEVENT\r\n",
				i, rid.Format("20060102T150405Z"), rid.Format("20060102T150405Z"), rid.Add(end.Sub(start)).Format("20060102T150405Z"), title)
		}
	}
	b.WriteString("END:VCALENDAR\r\n")
	res, err := calendar.ParseImport(strings.NewReader(b.String()), calendar.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// importSurroundings books what the imported events meet: activities of
// Ana and Ben, an EU blackout, and a subscription blocking Ben's time.
func importSurroundings(t *testing.T, s *storage.Store) {
	t.Helper()
	ctx := context.Background()
	sys := models.System()
	world(t, s)
	base := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
	req := true
	for i := 0; i < 6; i++ {
		start := base.Add(time.Duration(i) * 7 * time.Hour)
		kind, lead := "meeting", "EU"
		if i%4 == 0 {
			kind = "exercise"
		}
		if i%3 == 0 {
			lead = "NATO"
		}
		in := models.ActivityInput{Kind: kind, Title: fmt.Sprintf("booked %d", i), Start: start, End: start.Add(3 * time.Hour), LeadOrganization: models.Ref(lead),
			Participants: []models.ParticipantInput{{Type: "person", IDOrCode: []models.Ref{"ana@eeas.example", "ben@nato.example"}[i%2], Required: &req}}}
		if _, err := s.CreateActivity(ctx, sys, in, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	bstart := time.Date(2031, 3, 4, 0, 0, 0, 0, time.UTC)
	if _, err := s.CreateBlackout(ctx, sys, models.BlackoutInput{Title: "EU summit", Start: bstart, End: bstart.Add(12 * time.Hour), Severity: "hard", Organizations: []models.Ref{"EU"}}); err != nil {
		t.Fatal(err)
	}
	cal, err := s.CreateExternalCalendar(ctx, sys, models.ExternalCalendarInput{Name: "Ben's other diary", URL: "https://diary.example/ben.ics", Blocks: models.FeedOwner{Type: "person", IDOrCode: "ben@nato.example"}})
	if err != nil {
		t.Fatal(err)
	}
	es := time.Date(2031, 3, 5, 8, 0, 0, 0, time.UTC)
	if err := s.ReplaceExternalBusy(ctx, cal, []planning.Span{{Start: es, End: es.Add(10 * time.Hour)}}, "", "", 1); err != nil {
		t.Fatal(err)
	}
}

// importComparisons are the rows an import writes (storagetest's
// ActivityWrites, the activities with their ids, which both paths number
// alike, and the overrides and notices an import also writes).
func importComparisons() map[string]string {
	q := storagetest.ActivityWrites()
	q["activities"] = `SELECT a.id, a.source_uid, a.kind, a.title, a.description, a.start_at, a.end_at, a.timezone, a.all_day, a.rrule,
		a.exdates, a.rdates, a.status, a.format, a.venue_id, a.lead_organization_id, a.restricted, a.areas, a.series,
		a.parent_id, a.reminders, a.conference_url, a.version, a.sequence, a.deleted_at FROM activities a`
	q["overrides"] = `SELECT a.source_uid, o.recurrence_id, o.cancelled, o.start_s, o.end_s FROM occurrence_overrides o JOIN activities a ON a.id = o.activity_id`
	q["notices"] = `SELECT activity_id, kind, occurrence_start_s, recipient_email, sequence FROM reminders`
	return q
}

// TestImportBatchesWriteWhatOneByOneWrites imports the same generated
// files into two fresh databases with the same bookings, once through the
// batches and once one event at a time through the booking path (as
// before the batches), and compares the reports and every row written: a
// first, partial import with an invalid event (three chunks, conflicts
// within chunks and with stored bookings, a blackout and a subscription),
// then an all-or-nothing re-import of an edited file mixing new, changed
// and unchanged events in every chunk.
func TestImportBatchesWriteWhatOneByOneWrites(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return time.Date(2031, 1, 15, 9, 0, 0, 0, time.UTC) }
	const chunk = 8 // several chunks of a small file, the validation pass included
	first := mixedFile(t, 22, 17, 1, nil)
	// The second file: every third event edited, and 6 new ones (its
	// third chunk holds unchanged, changed and new events).
	second := mixedFile(t, 28, -1, 1, func(i int) bool { return i%3 == 0 })
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			batchDSN, oneDSN := b.DSN(t), b.DSN(t)
			batched, one := storagetest.OpenDSN(t, batchDSN), storagetest.OpenDSN(t, oneDSN)
			for _, s := range []*storage.Store{batched, one} {
				s.SetClock(clock)
				importSurroundings(t, s)
			}
			for step, run := range []struct {
				file *calendar.ImportResult
				opts models.ImportOptions
			}{
				{first, models.ImportOptions{Organization: "EU", Partial: true}},
				{second, models.ImportOptions{Organization: "EU"}},
				{second, models.ImportOptions{Organization: "EU"}},
			} {
				got, err := batched.ImportChunked(ctx, models.System(), run.file, run.opts, chunk, false)
				if err != nil {
					t.Fatalf("step %d, batches: %v", step, err)
				}
				want, err := one.ImportChunked(ctx, models.System(), run.file, run.opts, chunk, true)
				if err != nil {
					t.Fatalf("step %d, one by one: %v", step, err)
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Fatalf("step %d: reports differ:\n batches:    %.2000s\n one by one: %.2000s", step, g, w)
				}
				rules := map[string]int{}
				for _, c := range got.Conflicts {
					rules[c.Rule]++
				}
				t.Logf("step %d: created %d, updated %d, unchanged %d, %d errors, conflicts %v", step, got.Created, got.Updated, got.Unchanged, len(got.Errors), rules)
				storagetest.SameRows(t, b.Name, batchDSN, oneDSN, importComparisons(), fmt.Sprintf("step %d, ", step), "batches", "one by one")
				if step == 0 && (got.Created != 21 || len(got.Conflicts) < 10 || len(got.Errors) != 1) {
					t.Fatalf("the first file should create most events with many conflicts and one error: %+v", got)
				}
				if step == 1 && (got.Created != 7 || got.Updated < 5 || got.Unchanged < 10) {
					t.Fatalf("the second file should mix new, changed and unchanged events: created %d, updated %d, unchanged %d", got.Created, got.Updated, got.Unchanged)
				}
				if step == 2 && (got.Unchanged != len(run.file.Events) || got.Created+got.Updated != 0) {
					t.Fatalf("re-running the second file changed something: %+v", got)
				}
			}
			rules := storagetest.ReadRows(t, b.Name, batchDSN, "SELECT DISTINCT action FROM audit_log WHERE entity = 'activity'")
			if len(rules) < 3 {
				t.Errorf("want creations, imports and updates in the audit, got %v", rules)
			}
		})
	}
}
