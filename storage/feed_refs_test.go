package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// TestFeedRefsFollowWhatEventsShow, on both databases: a feed's reference
// fingerprint, and so its version, its events' renderings and their
// DTSTAMPs, moves when a name an event shows changes (a participant, the
// venue, a body, the lead organisation), and not when a person is added
// (a first sign-in) or changes their own settings: before, either changed
// every feed of the service.
func TestFeedRefsFollowWhatEventsShow(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		worldWithHQ(t, s)
		ctx := context.Background()
		sys := models.System()
		// The world is written a minute before: a change made now is
		// later than it, to the second.
		s.SetClock(func() time.Time { return time.Now().UTC().Add(-time.Minute) })
		start := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
		if _, err := s.CreateActivity(ctx, sys, models.ActivityInput{Kind: "meeting", Title: "PSC with NATO", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels",
			LeadOrganization: "EU", Venue: "HQ", Participants: []models.ParticipantInput{{Type: "person", IDOrCode: "ana@eeas.example"}, {Type: "body", IDOrCode: "PSC"}}}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		s.SetClock(func() time.Time { return time.Now().UTC() })
		f, _, err := s.CreateFeed(ctx, sys, models.FeedInput{Name: "EU", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 20)
		if err != nil {
			t.Fatal(err)
		}
		w := models.FeedWindow{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 30), Retention: 90 * 24 * time.Hour}
		prev, err := s.FeedContents(ctx, f, w, nil)
		if err != nil || len(prev.Items) != 1 {
			t.Fatalf("%d items, %v", len(prev.Items), err)
		}
		ana, err := s.GetPerson(ctx, "ana@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		anaActor, err := s.ActorForPerson(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		fr := "fr"
		for _, step := range []struct {
			name   string
			change func() error
			moves  bool
		}{
			{"a person added (as by a first sign-in)", func() error {
				_, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Cleo", Email: "cleo@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"})
				return err
			}, false},
			{"a participant's own language", func() error {
				_, err := s.UpdateMe(ctx, anaActor, models.MeInput{Language: &fr})
				return err
			}, false},
			{"a participant renamed", func() error {
				in := ana.Input()
				in.Name = "Ana Costa"
				_, err := s.UpdatePerson(ctx, sys, ana.ID, 0, in)
				return err
			}, true},
			{"the venue renamed", func() error {
				v, err := s.GetVenue(ctx, "HQ")
				if err != nil {
					return err
				}
				_, err = s.UpdateVenue(ctx, sys, v.ID, 0, models.VenueInput{Code: "HQ", Name: "Headquarters, Berlaymont", TimeZone: "Europe/Brussels"})
				return err
			}, true},
		} {
			// Each change comes a second after the last, so that a moved
			// stamp is seen to move.
			time.Sleep(1100 * time.Millisecond)
			if err := step.change(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			c, err := s.FeedContents(ctx, f, w, &prev)
			if err != nil {
				t.Fatal(err)
			}
			if moved := c.Refs != prev.Refs; moved != step.moves || (c.Version != prev.Version) != step.moves || c.RefStamp.After(prev.RefStamp) != step.moves {
				t.Fatalf("%s: fingerprint moved %v, version moved %v, stamp %s → %s; want moved %v", step.name, moved, c.Version != prev.Version, prev.RefStamp, c.RefStamp, step.moves)
			}
			prev = c
		}
	})
}
