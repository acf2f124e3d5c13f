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
		start := time.Date(2031, 5, 6, 9, 0, 0, 0, time.UTC)
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
