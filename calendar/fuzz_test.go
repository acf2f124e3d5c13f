package calendar

import (
	"bytes"
	"testing"
	"time"
)

// FuzzRender feeds arbitrary strings (invalid UTF-8 and control characters
// included) into the free-text fields. Render must accept them (they are
// sanitised, not rejected), the output must pass the independent validator,
// and go-ical must read the same sanitised text back.
func FuzzRender(f *testing.F) {
	f.Add("Réunion informelle du Conseil de l'Atlantique Nord et du Comité politique et de sécurité — échanges", "line1\r\nline2\\;,", "Doe, \"Jane\" ^", "NATO HQ")
	f.Add("\xff\xfe\xfd", "\x00\x01\x7f\r", "\xc3", "\t")
	f.Add(string(make([]byte, 200)), "🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺🇪🇺", "a:b;c,d", "")
	f.Add("", "", "", "x\\")
	bru, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, description, name, location string) {
		start := time.Date(2024, 10, 22, 9, 0, 0, 0, bru)
		events := []Event{{
			UID:         "fuzz@jointcal.example",
			Title:       title,
			Description: description,
			Location:    location,
			Start:       start,
			End:         start.Add(time.Hour),
			TimeZone:    "Europe/Brussels",
			RRule:       "FREQ=WEEKLY;COUNT=3",
			Categories:  []string{title, location},
			Organizer:   &Attendee{Name: name, Email: "org@jointcal.example"},
			Attendees:   []Attendee{{Name: name, Email: "a@jointcal.example", Role: "lead"}},
			Overrides:   []Override{{RecurrenceID: start.AddDate(0, 0, 7), Title: description}},
			Reminders:   []time.Duration{time.Hour},
		}}
		cal := Calendar{Name: title, Stamp: fixtureStamp}
		var buf bytes.Buffer
		if err := Render(&buf, cal, events); err != nil {
			t.Fatalf("Render rejected free text: %v", err)
		}
		if err := validateICS(buf.Bytes()); err != nil {
			t.Fatalf("%v\n%q", err, buf.String())
		}
		roundTrip(t, buf.Bytes(), cal, events)
	})
}
