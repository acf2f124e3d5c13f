package calendar

import (
	"fmt"
	"testing"
	"time"
)

// Shared fixtures: the golden cases and a deterministic generator of large
// calendars for the validator, round-trip and benchmark.

var fixtureStamp = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return loc
}

// goldenCase is one golden file's input.
type goldenCase struct {
	name   string
	cal    Calendar
	events []Event
}

func goldenCases(t testing.TB) []goldenCase {
	bru := mustLoad(t, "Europe/Brussels")
	nyc := mustLoad(t, "America/New_York")
	cal := Calendar{Name: "EU–NATO joint plan", Stamp: fixtureStamp}
	created := time.Date(2024, 1, 10, 9, 30, 0, 0, time.UTC)
	modified := time.Date(2024, 2, 20, 16, 45, 0, 0, time.UTC)
	return []goldenCase{
		{"single_timed", cal, []Event{{
			UID:          UID("act-1001", "jointcal.example"),
			Title:        "NAC–PSC informal meeting",
			Description:  "What: exchange on hybrid threats.\nWho: NAC, PSC; briefers from EEAS, IMS.\nLead: NATO",
			Start:        time.Date(2024, 4, 16, 10, 0, 0, 0, bru),
			End:          time.Date(2024, 4, 16, 12, 30, 0, 0, bru),
			TimeZone:     "Europe/Brussels",
			Status:       "confirmed",
			Sequence:     2,
			Created:      created,
			LastModified: modified,
			Location:     "NATO HQ, Boulevard Léopold III, 1110 Brussels; Room 2",
			URL:          "https://jointcal.example/activities/act-1001",
			Categories:   []string{"meeting", "hybrid threats", "political dialogue"},
			Organizer:    &Attendee{Name: "NATO International Staff", Email: "is-secretariat@nato.example"},
			Attendees: []Attendee{
				{Name: "Doe, Jane", Email: "jane.doe@nato.example", Role: "lead", Required: true, RSVP: "accepted"},
				{Name: `Pierre "PJ" Dupont`, Email: "pierre.dupont@eeas.example", Role: "briefer", Required: true, RSVP: "tentative"},
				{Name: "Anna Schmidt", Email: "anna.schmidt@ims.example", Role: "observer", RSVP: "needs_action"},
				{Name: "PSC delegates", Email: "psc@consilium.example", Role: "audience", RSVP: "declined"},
				{Name: "CERT-EU (no address)", Role: "participant"},
			},
			Reminders: []time.Duration{15 * time.Minute, 24 * time.Hour},
		}}},
		{"all_day", cal, []Event{{
			UID:        UID("act-2002", "jointcal.example"),
			Title:      "CMX 24 conduct window",
			Start:      time.Date(2024, 5, 13, 0, 0, 0, 0, bru),
			End:        time.Date(2024, 5, 18, 0, 0, 0, 0, bru),
			TimeZone:   "Europe/Brussels",
			AllDay:     true,
			Status:     "tentative",
			Class:      "private",
			Categories: []string{"exercise_phase", "exercises", "CMX"},
			URL:        "https://jointcal.example/activities/act-2002",
			Reminders:  []time.Duration{7 * 24 * time.Hour},
		}}},
		{"recurring_overrides", cal, []Event{{
			UID:           UID("act-3003", "jointcal.example"),
			Title:         "EADRCC–ERCC staff exchange",
			Description:   "Every two weeks.",
			Start:         time.Date(2024, 4, 4, 14, 0, 0, 0, bru),
			End:           time.Date(2024, 4, 4, 15, 0, 0, 0, bru),
			TimeZone:      "Europe/Brussels",
			RRule:         "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20240627T120000Z",
			ExDates:       []time.Time{time.Date(2024, 5, 30, 14, 0, 0, 0, bru)},
			RDates:        []time.Time{time.Date(2024, 7, 4, 14, 0, 0, 0, bru)},
			Status:        "confirmed",
			Sequence:      3,
			Location:      "VTC",
			ConferenceURL: "https://vtc.example/rooms/eadrcc-ercc?pin=42",
			Overrides: []Override{
				{RecurrenceID: time.Date(2024, 5, 2, 14, 0, 0, 0, bru), Cancelled: true},
				{RecurrenceID: time.Date(2024, 4, 18, 14, 0, 0, 0, bru), Start: time.Date(2024, 4, 19, 9, 0, 0, 0, bru), End: time.Date(2024, 4, 19, 10, 30, 0, 0, bru), Title: "EADRCC–ERCC staff exchange (moved to Friday)"},
			},
			Reminders: []time.Duration{30 * time.Minute},
		}}},
		{"dst_weekly_brussels", cal, []Event{{
			UID:      UID("act-4004", "jointcal.example"),
			Title:    "Hybrid threats staff talks (weekly, across the October DST change)",
			Start:    time.Date(2024, 10, 15, 9, 30, 0, 0, bru),
			End:      time.Date(2024, 10, 15, 11, 0, 0, 0, bru),
			TimeZone: "Europe/Brussels",
			RRule:    "FREQ=WEEKLY;COUNT=5",
			Status:   "confirmed",
		}, {
			UID:      UID("act-4005", "jointcal.example"),
			Title:    "Transatlantic cyber coordination call",
			Start:    time.Date(2024, 3, 5, 11, 0, 0, 0, nyc),
			End:      time.Date(2024, 3, 5, 12, 0, 0, 0, nyc),
			TimeZone: "America/New_York",
			RRule:    "FREQ=WEEKLY;BYDAY=TU",
		}}},
		{"cancelled", cal, []Event{{
			UID:          UID("act-5005", "jointcal.example"),
			Title:        "CEPC–EU civil protection seminar",
			Start:        time.Date(2024, 6, 11, 7, 0, 0, 0, time.UTC),
			End:          time.Date(2024, 6, 11, 15, 0, 0, 0, time.UTC),
			Status:       "cancelled",
			Sequence:     4,
			LastModified: modified,
			Reminders:    []time.Duration{time.Hour},
		}}},
		{"long_non_ascii", Calendar{Name: "Réunions UE–OTAN", Stamp: fixtureStamp, RefreshInterval: 30 * time.Minute}, []Event{{
			UID:         UID("act-6006", "jointcal.example"),
			Title:       "Réunion informelle du Conseil de l'Atlantique Nord et du Comité politique et de sécurité — échanges sur la mobilité militaire",
			Description: "Ordre du jour : mobilité militaire ; menaces hybrides, cyberdéfense.\n\nParticipants : NAC, COPS — 北大西洋理事会 🇪🇺🇺🇳",
			Start:       time.Date(2024, 9, 24, 15, 0, 0, 0, bru),
			End:         time.Date(2024, 9, 24, 17, 0, 0, 0, bru),
			TimeZone:    "Europe/Brussels",
			Location:    "Justus Lipsius, salle 50.4 \\ aile B",
			Organizer:   &Attendee{Name: "Secrétariat général du Conseil de l'Union européenne (SGC) — direction RELEX", Email: "relex@consilium.example"},
		}}},
		{"empty", Calendar{Stamp: fixtureStamp, Method: "publish"}, nil},
	}
}

// genEvents builds n deterministic events resembling a real plan: 20%
// recurring (weekly, biweekly with UNTIL, monthly with COUNT, open-ended),
// some all-day, some with overrides, three or four attendees each, a
// reminder, and a mix of zones.
func genEvents(t testing.TB, n int) []Event {
	zones := []string{"Europe/Brussels", "Europe/Brussels", "America/New_York", "", "Europe/Tallinn", "Asia/Tokyo"}
	locs := map[string]*time.Location{"": time.UTC}
	for _, z := range zones {
		if z != "" {
			locs[z] = mustLoad(t, z)
		}
	}
	kinds := []string{"meeting", "exercise", "cross_briefing", "staff_talks", "workshop", "webinar"}
	areas := []string{"hybrid threats", "cyber", "operational/maritime", "defence capabilities", "exercises"}
	events := make([]Event, n)
	for i := range events {
		tz := zones[i%len(zones)]
		loc := locs[tz]
		day := time.Date(2024, 1, 8, 0, 0, 0, 0, loc).AddDate(0, 0, (i*7)%540)
		start := day.Add(time.Duration(8+i%9) * time.Hour).Add(time.Duration(i%4*15) * time.Minute)
		ev := Event{
			UID:          UID(fmt.Sprintf("act-%06d", i), "jointcal.example"),
			Title:        fmt.Sprintf("%s %d: %s coordination, EU–NATO", kinds[i%len(kinds)], i, areas[i%len(areas)]),
			Description:  fmt.Sprintf("What: %s.\nWho: NAC, PSC, EUMS; lead %s.", areas[i%len(areas)], []string{"EU", "NATO"}[i%2]),
			Start:        start,
			End:          start.Add(time.Duration(1+i%3) * time.Hour),
			TimeZone:     tz,
			Status:       []string{"confirmed", "tentative", "confirmed", "confirmed", "cancelled"}[i%5],
			Sequence:     i % 4,
			Created:      time.Date(2023, 12, 1, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			LastModified: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			Location:     []string{"NATO HQ, Brussels", "Justus Lipsius; room 50.4", "VTC", "Tallinn, CCDCOE"}[i%4],
			URL:          fmt.Sprintf("https://jointcal.example/activities/act-%06d", i),
			Categories:   []string{kinds[i%len(kinds)], areas[i%len(areas)]},
			Organizer:    &Attendee{Name: "Secretariat", Email: "secretariat@jointcal.example"},
			Attendees: []Attendee{
				{Name: fmt.Sprintf("Lead %d", i), Email: fmt.Sprintf("lead%d@nato.example", i), Role: "lead", Required: true, RSVP: "accepted"},
				{Name: "Doe, Jane", Email: "jane.doe@eeas.example", Role: "briefer", Required: true},
				{Name: "Observer", Email: "observer@ims.example", Role: "observer", RSVP: "tentative"},
			},
			Reminders: []time.Duration{time.Hour},
		}
		if i%3 == 0 {
			ev.Attendees = append(ev.Attendees, Attendee{Name: "Audience", Email: "audience@consilium.example", Role: "audience"})
		}
		if i%10 == 1 {
			ev.ConferenceURL = fmt.Sprintf("https://vtc.example/r/%d", i)
		}
		if i%25 == 7 {
			ev.AllDay = true
			ev.Start = day
			ev.End = day.AddDate(0, 0, 1+i%3)
		}
		switch i % 5 {
		case 2: // 20% recurring
			switch (i / 5) % 4 {
			case 0:
				ev.RRule = "FREQ=WEEKLY;COUNT=10"
			case 1:
				until := ev.Start.AddDate(0, 6, 0).UTC()
				if ev.AllDay {
					ev.RRule = "FREQ=WEEKLY;INTERVAL=2;UNTIL=" + until.Format("20060102")
				} else {
					ev.RRule = "FREQ=WEEKLY;INTERVAL=2;UNTIL=" + until.Format("20060102T150405Z")
				}
			case 2:
				ev.RRule = "FREQ=MONTHLY;COUNT=12"
			case 3:
				ev.RRule = "FREQ=MONTHLY;BYDAY=1TU"
			}
			if (i/5)%2 == 0 {
				ev.ExDates = []time.Time{ev.Start.AddDate(0, 0, 14)}
				ev.Overrides = []Override{
					{RecurrenceID: ev.Start.AddDate(0, 0, 7), Cancelled: true},
					{RecurrenceID: ev.Start.AddDate(0, 0, 21), Start: ev.Start.AddDate(0, 0, 22), Title: ev.Title + " (moved)"},
				}
				if (i/5)%4 == 2 { // monthly: instances are a month apart
					ev.ExDates = []time.Time{ev.Start.AddDate(0, 2, 0)}
					ev.Overrides = []Override{
						{RecurrenceID: ev.Start.AddDate(0, 1, 0), Cancelled: true},
						{RecurrenceID: ev.Start.AddDate(0, 3, 0), Start: ev.Start.AddDate(0, 3, 1), Title: ev.Title + " (moved)"},
					}
				}
			}
		}
		events[i] = ev
	}
	return events
}
