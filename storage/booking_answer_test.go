package storage_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestBookingAnswersWhatWasWritten: the activity a booking returns is the
// activity as a later read shows it, whether the booking reused the view
// it read inside the write to invite people (no import source) or read it
// after the commit (an import's booking invites nobody), and after an
// override.
func TestBookingAnswersWhatWasWritten(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		if _, err := s.CreateVenue(ctx, models.System(), models.VenueInput{Code: "HQ", Name: "Headquarters", TimeZone: "Europe/Brussels", Address: "Rue de la Loi 200", BufferSeconds: 900}); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2031, 5, 6, 9, 0, 0, 0, time.UTC)
		// Nanoseconds that PostgreSQL does not keep (microseconds) and a
		// zone that is not UTC.
		fine := time.Date(2031, 6, 3, 11, 30, 0, 123456789, time.FixedZone("+02:00", 2*3600))
		tests := []struct {
			name string
			in   models.ActivityInput
			opts storage.WriteOptions
		}{
			{"invites people", models.ActivityInput{Kind: "meeting", Title: "PSC–NAC informal", Start: start, End: start.Add(2 * time.Hour),
				TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY;COUNT=3", LeadOrganization: "EU",
				Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}, {Type: "person", IDOrCode: "ben@nato.example"}}}, storage.WriteOptions{}},
			{"import invites nobody", models.ActivityInput{Kind: "meeting", Title: "Imported", Start: start.Add(24 * time.Hour), End: start.Add(25 * time.Hour),
				LeadOrganization: "NATO", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "NAC"}}}, storage.WriteOptions{SourceUID: "answer-test@example"}},
			{"every field", models.ActivityInput{Kind: "meeting", Title: "  Every field  ", Description: "Described", Start: fine, End: fine.Add(90 * time.Minute),
				TimeZone: "Europe/Brussels", RRule: "RRULE:FREQ=WEEKLY;COUNT=4", ExDates: []time.Time{fine.AddDate(0, 0, 7)}, RDates: []time.Time{fine.AddDate(0, 0, 2)},
				Status: "tentative", Format: "hybrid", ConferenceURL: "https://meet.example/every", Venue: "HQ", LeadOrganization: "EU",
				Visibility: []models.Ref{"NATO", "EU", "NATO"}, Areas: []string{"maritime", "cyber", "maritime"}, Series: "Series A", Reminders: []string{"PT30M", "P1D"},
				Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ben@nato.example", Role: "briefer"}, {Type: "organization", IDOrCode: "NATO", Required: new(false)},
					{Type: "body", IDOrCode: "PSC", RSVP: "tentative"}}}, storage.WriteOptions{}},
			{"override", models.ActivityInput{Kind: "meeting", Title: "Clash", Start: start, End: start.Add(time.Hour), LeadOrganization: "EU",
				Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{OverrideReason: "agreed by both chairs"}},
		}
		for _, tt := range tests {
			res, err := s.CreateActivity(ctx, models.System(), tt.in, tt.opts)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got, err := s.GetActivity(ctx, models.System(), res.Activity.ID)
			if err != nil {
				t.Fatalf("%s: read back: %v", tt.name, err)
			}
			a, _ := json.Marshal(res.Activity)
			b, _ := json.Marshal(got)
			if string(a) != string(b) {
				t.Errorf("%s: the booking answered\n%s\nbut a read shows\n%s", tt.name, a, b)
			}
		}
	})
}

// TestBookingStatements bounds the reads of a booking by an administrator
// (each a round trip on PostgreSQL, and all but the first two under
// SQLite's one write lock): the references, the venue's row, the
// occupancy, and the people to invite. The view it answers with and
// invites from is built from what it wrote, not read back.
func TestBookingStatements(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx, sys := context.Background(), models.System()
		worldWithHQ(t, s)
		start := time.Date(2031, 6, 2, 9, 0, 0, 0, time.UTC)
		in := models.ActivityInput{Kind: "meeting", Title: "Counted", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Venue: "HQ", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}, {Type: "person", IDOrCode: "ben@nato.example"}}}
		var err error
		n := s.CountReads(t, func() { _, err = s.CreateActivity(ctx, sys, in, storage.WriteOptions{}) })
		if err != nil {
			t.Fatal(err)
		}
		if want := 4; n > want {
			t.Errorf("a booking read %d statements, want at most %d", n, want)
		}
	})
}
