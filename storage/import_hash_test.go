package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// digestEvent is the one recurring event TestImportDigestSeesEveryChange
// edits, with a second, untouched event beside it.
const digestEvent = "BEGIN:VEVENT\r\nUID:digest-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20310303T090000Z\r\nDTEND:20310303T100000Z\r\n" +
	"SUMMARY:Staff talks\r\nCATEGORIES:Meeting\r\nRRULE:FREQ=DAILY;COUNT=4\r\nATTENDEE:mailto:ana@eeas.example\r\n" +
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:digest-1\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:20310304T090000Z\r\nDTSTART:20310304T110000Z\r\nDTEND:20310304T120000Z\r\n" +
	"SUMMARY:Staff talks\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:digest-2\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20310310T090000Z\r\nDTEND:20310310T100000Z\r\nSUMMARY:Other\r\nEND:VEVENT\r\n"

func digestFile(t *testing.T, edit func(string) string) *calendar.ImportResult {
	t.Helper()
	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//jointcal tests//EN\r\n" + edit(digestEvent) + "END:VCALENDAR\r\n"
	res, err := calendar.ParseImport(strings.NewReader(body), calendar.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestImportDigestSeesEveryChange: a re-import recognised by its stored
// digest still sees any change that matters in the file (a field, an
// attendee, a category, a reminder, a moved instance) and an attendee's
// address that now names someone; each is one update, and the same file
// again is unchanged. A planner's edit of what the file does not carry
// leaves the event unchanged, and the digest is recorded again at the
// activity's new version.
func TestImportDigestSeesEveryChange(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sys := models.System()
			dsn := b.DSN(t)
			s := storagetest.OpenDSN(t, dsn)
			s.SetClock(func() time.Time { return time.Date(2031, 1, 15, 9, 0, 0, 0, time.UTC) })
			world(t, s)
			imp := func(file *calendar.ImportResult) *models.ImportReport {
				t.Helper()
				rep, err := s.Import(ctx, sys, file, models.ImportOptions{Organization: "EU"})
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			same := func(ev string) string { return ev }
			if rep := imp(digestFile(t, same)); rep.Created != 2 {
				t.Fatalf("first import: %+v", rep)
			}
			if rep := imp(digestFile(t, same)); rep.Unchanged != 2 {
				t.Fatalf("unchanged re-import: %+v", rep)
			}
			find := func() models.ActivityView {
				t.Helper()
				page, err := s.ListActivities(ctx, sys, models.ActivityFilter{Q: "Staff"})
				if err != nil || len(page.Items) != 1 {
					t.Fatalf("find the imported activity: %d, %v", len(page.Items), err)
				}
				return page.Items[0]
			}
			edits := []struct {
				name  string
				edit  func(string) string
				check func(v models.ActivityView) bool
			}{
				{"title", func(ev string) string {
					return strings.Replace(ev, "SUMMARY:Staff talks\r\nCATEGORIES", "SUMMARY:Staff talks (moved)\r\nCATEGORIES", 1)
				},
					func(v models.ActivityView) bool { return v.Title == "Staff talks (moved)" }},
				{"attendee", func(ev string) string {
					return strings.Replace(ev, "ATTENDEE:mailto:ana@eeas.example\r\n", "ATTENDEE:mailto:ana@eeas.example\r\nATTENDEE:mailto:ben@nato.example\r\n", 1)
				}, func(v models.ActivityView) bool { return len(v.Participants) == 2 }},
				{"category", func(ev string) string {
					return strings.Replace(ev, "CATEGORIES:Meeting", "CATEGORIES:Cross briefing", 1)
				},
					func(v models.ActivityView) bool { return v.Kind == "cross_briefing" }},
				{"reminder", func(ev string) string { return strings.Replace(ev, "TRIGGER:-PT1H", "TRIGGER:-PT2H", 1) },
					func(v models.ActivityView) bool { return len(v.Reminders) == 1 && v.Reminders[0] == "PT2H" }},
				{"override", func(ev string) string {
					return strings.Replace(ev, "DTSTART:20310304T110000Z\r\nDTEND:20310304T120000Z", "DTSTART:20310304T130000Z\r\nDTEND:20310304T140000Z", 1)
				}, func(v models.ActivityView) bool {
					return len(v.Overrides) == 1 && v.Overrides[0].Start.UTC().Hour() == 13
				}},
			}
			for _, e := range edits {
				if rep := imp(digestFile(t, e.edit)); rep.Updated != 1 || rep.Unchanged != 1 {
					t.Fatalf("%s changed: %+v", e.name, rep)
				}
				if v := find(); !e.check(v) {
					t.Fatalf("%s: the change is not in the activity: %+v", e.name, v)
				}
				if rep := imp(digestFile(t, e.edit)); rep.Unchanged != 2 {
					t.Fatalf("%s, the same file again: %+v", e.name, rep)
				}
				if rep := imp(digestFile(t, same)); rep.Updated != 1 {
					t.Fatalf("%s, back to the first file: %+v", e.name, rep)
				}
			}
			// An address the file always carried now names a person.
			stranger := func(ev string) string {
				return strings.Replace(ev, "ATTENDEE:mailto:ana@eeas.example\r\n", "ATTENDEE:mailto:ana@eeas.example\r\nATTENDEE:mailto:cleo@eeas.example\r\n", 1)
			}
			imp(digestFile(t, stranger))
			if rep := imp(digestFile(t, stranger)); rep.Unchanged != 2 {
				t.Fatalf("a stranger invited, again: %+v", rep)
			}
			if _, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Cleo", Email: "cleo@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"}); err != nil {
				t.Fatal(err)
			}
			if rep := imp(digestFile(t, stranger)); rep.Updated != 1 || len(find().Participants) != 2 {
				t.Fatalf("the stranger became a person: %+v", rep)
			}
			// A planner's edit of what the file does not carry.
			v := find()
			in := v.Input()
			in.Areas = []string{"hybrid_threats"}
			if _, err := s.UpdateActivity(ctx, sys, v.ID, in, storage.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			if rep := imp(digestFile(t, stranger)); rep.Unchanged != 2 {
				t.Fatalf("after a planner's edit of the areas: %+v", rep)
			}
			got := storagetest.ReadRows(t, b.Name, dsn, "SELECT h.version, a.version FROM import_hashes h JOIN activities a ON a.id = h.activity_id WHERE a.source_uid = 'ics:EU:digest-1'")
			if len(got) != 1 || strings.Split(got[0], " | ")[0] != strings.Split(got[0], " | ")[1] {
				t.Fatalf("the digest was not recorded again at the edited version: %v", got)
			}
			if rep := imp(digestFile(t, stranger)); rep.Unchanged != 2 || find().Areas[0] != "hybrid_threats" {
				t.Fatalf("and again: %+v", rep)
			}
		})
	}
}

// TestImportBatchReportsConflicts: events of one batch conflict with a
// stored booking and with each other, and each conflict is reported
// under the event that meets it (the second of two overlapping events:
// the first was written before it).
func TestImportBatchReportsConflicts(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		world(t, s)
		start := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
		req := true
		if _, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "Booked", Start: start, End: start.Add(time.Hour), LeadOrganization: "NATO",
			Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example", Required: &req}}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		ev := func(uid, from, to, who string) string {
			return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:" + from + "\r\nDTEND:" + to + "\r\nSUMMARY:" + uid +
				"\r\nATTENDEE;ROLE=REQ-PARTICIPANT:mailto:" + who + "\r\nEND:VEVENT\r\n"
		}
		body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//jointcal tests//EN\r\n" +
			ev("with-stored", "20310303T093000Z", "20310303T103000Z", "ben@nato.example") +
			ev("first", "20310305T090000Z", "20310305T100000Z", "ana@eeas.example") +
			ev("second", "20310305T093000Z", "20310305T103000Z", "ana@eeas.example") +
			ev("alone", "20310306T090000Z", "20310306T100000Z", "ana@eeas.example") + "END:VCALENDAR\r\n"
		file, err := calendar.ParseImport(strings.NewReader(body), calendar.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.Import(ctx, models.System(), file, models.ImportOptions{Organization: "EU"})
		if err != nil || rep.Created != 4 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
		got := map[string]string{}
		for _, c := range rep.Conflicts {
			got[c.UID] = c.Rule + " " + c.Other.Title
		}
		want := map[string]string{"with-stored": "person_double_booked Booked", "second": "person_double_booked first"}
		if len(got) != len(want) || got["with-stored"] != want["with-stored"] || got["second"] != want["second"] {
			t.Fatalf("conflicts %v, want %v", got, want)
		}
	})
}
