package storage_test

import (
	"context"
	"errors"
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
			{"a body renamed", func() error {
				b, err := s.GetBody(ctx, "PSC")
				if err != nil {
					return err
				}
				_, err = s.UpdateBody(ctx, sys, b.ID, 0, models.BodyInput{Code: "PSC", Name: "Political and Security Committee (PSC)", Organization: "EU", Members: []models.Ref{"ana@eeas.example"}})
				return err
			}, true},
			{"the lead organisation renamed", func() error {
				page, err := s.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: models.ListOptions{Limit: 10}})
				if err != nil {
					return err
				}
				for _, o := range page.Items {
					if o.Code == "EU" {
						_, err = s.UpdateOrganization(ctx, sys, o.ID, 0, models.OrganizationInput{Code: "EU", Name: "European Union (EEAS)", ContactEmail: o.ContactEmail, TimeZone: o.TimeZone})
						return err
					}
				}
				return errors.New("no EU")
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

// TestDeletedParticipantLeavesTheFeeds, on both databases: a person who
// takes part only in deleted activities (kept in feeds until their
// retention ends) may be deleted, and those activities then lose them
// with their version moved, so that no stored rendering goes on showing
// the person under an unchanged feed version; an organisation that takes
// part in a live activity is not deleted, as people and bodies are not.
func TestDeletedParticipantLeavesTheFeeds(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		zed, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Zed Secret", Email: "zed@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"})
		if err != nil {
			t.Fatal(err)
		}
		osce, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "OSCE", Name: "OSCE", ContactEmail: "info@osce.example"})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, 7)
		in := func(title string, who models.ParticipantInput) models.ActivityInput {
			return models.ActivityInput{Kind: "meeting", Title: title, Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Brussels", LeadOrganization: "EU", Participants: []models.ParticipantInput{who}}
		}
		gone, err := s.CreateActivity(ctx, sys, in("Called off", models.ParticipantInput{Type: "person", IDOrCode: "zed@eeas.example"}), storage.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateActivity(ctx, sys, in("With the OSCE", models.ParticipantInput{Type: "organization", IDOrCode: "OSCE"}), storage.WriteOptions{OverrideReason: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteActivity(ctx, sys, gone.Activity.ID, 0); err != nil {
			t.Fatal(err)
		}
		f, _, err := s.CreateFeed(ctx, sys, models.FeedInput{Name: "EU", Owner: models.FeedOwner{Type: "organization", IDOrCode: "EU"}}, 20)
		if err != nil {
			t.Fatal(err)
		}
		w := models.FeedWindow{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 2), Retention: 90 * 24 * time.Hour}
		before, err := s.FeedContents(ctx, f, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		versionOf := func(c storage.FeedContents) int {
			for _, it := range c.Items {
				if it.ID == gone.Activity.ID {
					return it.Version
				}
			}
			t.Fatalf("the deleted activity is not in the feed: %+v", c.Items)
			return 0
		}
		was := versionOf(before)
		if err := s.DeletePerson(ctx, sys, zed.ID, 0); err != nil {
			t.Fatalf("deleting a person of deleted activities only: %v", err)
		}
		after, err := s.FeedContents(ctx, f, w, &before)
		if err != nil {
			t.Fatal(err)
		}
		if versionOf(after) <= was || after.Version == before.Version {
			t.Fatalf("after the deletion the activity is at version %d (was %d), the feed's version moved %v", versionOf(after), was, after.Version != before.Version)
		}
		var inUse *models.InUseError
		if err := s.DeleteOrganization(ctx, sys, osce.ID, 0); !errors.As(err, &inUse) {
			t.Fatalf("deleting an organisation a live activity names: %v, want it refused", err)
		}
	})
}
