package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// A job started by a signed-in person is theirs to follow; another
// person, and a token, do not see it.
func TestImportJobsOfASignedInPerson(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		for _, g := range []models.GrantInput{{Person: "ana@eeas.example", Role: models.RolePlanner, Organization: "EU"}, {Person: "ben@nato.example", Role: models.RolePlanner, Organization: "NATO"}} {
			if _, err := s.GrantRole(ctx, sys, g); err != nil {
				t.Fatal(err)
			}
		}
		actorOf := func(email string) models.Actor {
			p, err := s.GetPerson(ctx, models.Ref(email))
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.ActorForPerson(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		ana, ben := actorOf("ana@eeas.example"), actorOf("ben@nato.example")
		job, err := s.CreateImportJob(ctx, ana, "EU", 3, true)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetImportJob(ctx, ana, job.ID); err != nil || got.ID != job.ID {
			t.Fatalf("the person's own job: %v", err)
		}
		if _, err := s.GetImportJob(ctx, ben, job.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another person sees the job: %v", err)
		}
		_, secret, err := s.CreateToken(ctx, sys, models.TokenInput{Name: "robot", Role: models.RolePlanner, Organization: "EU"})
		if err != nil {
			t.Fatal(err)
		}
		robot, err := s.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetImportJob(ctx, robot, job.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a service token sees a person's job: %v", err)
		}
		if _, err := s.GetImportJob(ctx, sys, job.ID); err != nil {
			t.Errorf("an administrator: %v", err)
		}
	})
}
