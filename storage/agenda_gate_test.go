package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jointcal/jointcal/gate"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestAgendaSlots: with every slot for computing agendas taken, an agenda
// waits its while and then is refused with ErrAgendaBusy, having computed
// nothing; an invalid window is refused at once as before; a waiter gets
// the slot as soon as it is given back; and once free the agenda is
// computed again.
func TestAgendaSlots(t *testing.T) {
	t.Parallel()
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := b.DSN(t)
			slots := gate.New(1, 50*time.Millisecond)
			set := models.DefaultSettings()
			set.AgendaGate = slots
			s := storagetest.OpenWith(t, dsn, set)
			world(t, s)
			start := time.Date(2031, 6, 2, 9, 0, 0, 0, time.UTC)
			for i := 0; i < 2; i++ { // the same committee twice: a clash
				in := models.ActivityInput{Kind: "meeting", Title: "PSC", LeadOrganization: "EU", Start: start, End: start.Add(time.Hour),
					Status: "tentative", TimeZone: "UTC", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}}}
				if _, err := s.CreateActivity(ctx, models.System(), in, storage.WriteOptions{OverrideReason: "test data"}); err != nil {
					t.Fatal(err)
				}
			}
			window := models.ConflictFilter{From: start.Add(-time.Hour), To: start.Add(24 * time.Hour)}
			if !slots.Enter(ctx) {
				t.Fatal("the only slot was not free")
			}
			if _, err := s.ListConflicts(ctx, models.System(), window); !errors.Is(err, models.ErrAgendaBusy) {
				t.Fatalf("with the only slot taken the agenda answered %v, want ErrAgendaBusy", err)
			}
			var invalid *models.ValidationError
			if _, err := s.ListConflicts(ctx, models.System(), models.ConflictFilter{From: start, To: start}); !errors.As(err, &invalid) {
				t.Fatalf("an empty window with every slot taken answered %v, want a validation error", err)
			}
			// A store whose agendas wait long: one asked while the slot is
			// held gets it once the slot is given back.
			patientSlots := gate.New(1, time.Minute)
			set.AgendaGate = patientSlots
			patient := storagetest.OpenWith(t, dsn, set)
			if !patientSlots.Enter(ctx) {
				t.Fatal("the patient store's only slot was not free")
			}
			done := make(chan error)
			go func() {
				_, err := patient.ListConflicts(ctx, models.System(), window)
				done <- err
			}()
			patientSlots.Leave()
			if err := <-done; err != nil {
				t.Fatalf("the waiting agenda answered %v once the slot was given back", err)
			}
			slots.Leave()
			items, err := s.ListConflicts(ctx, models.System(), window)
			if err != nil || len(items) == 0 {
				t.Fatalf("with the slot free the agenda answered %d clashes, %v; want the committee's clash", len(items), err)
			}
		})
	}
}
