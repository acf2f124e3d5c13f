package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/jointcal/jointcal/storage/storagetest"
)

// worldWithHQ is world with a venue, HQ (Headquarters, in Brussels, no
// buffer), for the tests that count a booking's or a check's statements
// with one.
func worldWithHQ(t *testing.T, s *storage.Store) {
	t.Helper()
	world(t, s)
	if _, err := s.CreateVenue(context.Background(), models.System(), models.VenueInput{Code: "HQ", Name: "Headquarters", TimeZone: "Europe/Brussels"}); err != nil {
		t.Fatal(err)
	}
}

// world makes two organisations and a few people and bodies.
func world(t *testing.T, s *storage.Store) {
	t.Helper()
	ctx := context.Background()
	sys := models.System()
	steps := []func() error{
		func() error {
			_, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "EU", Name: "European Union", ContactEmail: "coop@eeas.example"})
			return err
		},
		func() error {
			_, err := s.CreateOrganization(ctx, sys, models.OrganizationInput{Code: "NATO", Name: "NATO", ContactEmail: "coop@nato.example"})
			return err
		},
		func() error {
			_, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ana", Email: "ana@eeas.example", TimeZone: "Europe/Brussels", Organization: "EU"})
			return err
		},
		func() error {
			_, err := s.CreatePerson(ctx, sys, models.PersonInput{Name: "Ben", Email: "ben@nato.example", TimeZone: "America/New_York", Organization: "NATO"})
			return err
		},
		func() error {
			_, err := s.CreateBody(ctx, sys, models.BodyInput{Code: "PSC", Name: "Political and Security Committee", Organization: "EU", Members: []models.Ref{"ana@eeas.example"}})
			return err
		},
		func() error {
			_, err := s.CreateBody(ctx, sys, models.BodyInput{Code: "NAC", Name: "North Atlantic Council", Organization: "NATO", Members: []models.Ref{"ben@nato.example"}})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v (%v)", applied, err)
		}
	})
}

func TestMigrationsPerDialect(t *testing.T) {
	t.Parallel()
	pg, err := storage.Migrations(models.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := storage.Migrations(models.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL's own: the exclusion constraint, and the partial index
	// its count of live activities needed (0052 then gave each database
	// its own index for the count, so both have a migration of that number).
	only := map[string]bool{"0002_occupancy.postgres.sql": true, "0047_activities_live.postgres.sql": true}
	onLite := map[int]bool{}
	for _, m := range lite {
		onLite[m.Version] = true
	}
	var extra []string
	for _, m := range pg {
		if !onLite[m.Version] {
			extra = append(extra, m.Name)
		}
	}
	if len(extra) != len(only) || len(pg) != len(lite)+len(only) {
		t.Fatalf("PostgreSQL's own migrations are %v (%d against SQLite's %d), want %v", extra, len(pg), len(lite), only)
	}
	for _, name := range extra {
		if !only[name] {
			t.Fatalf("unexpected PostgreSQL-only migration %s", name)
		}
	}
	for i := 1; i < len(pg); i++ {
		if pg[i].Version <= pg[i-1].Version {
			t.Fatalf("migrations out of order: %s before %s", pg[i-1].Name, pg[i].Name)
		}
	}
}

// TestHorizonExtension: an unbounded weekly meeting gains occurrences as
// time passes, and keeps its 10:00 Brussels wall clock across DST.
func TestHorizonExtension(t *testing.T) {
	t.Parallel()
	set := models.DefaultSettings()
	set.Planning.Limits.Horizon = 90 * 24 * time.Hour
	for _, b := range storagetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			horizonExtension(t, storagetest.OpenWith(t, b.DSN(t), set))
		})
	}
}

func horizonExtension(t *testing.T, s *storage.Store) {
	world(t, s)
	ctx := context.Background()
	now := mustTime(t, "2030-01-01T00:00:00Z")
	s.SetClock(func() time.Time { return now })
	res, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{
		Kind: "staff_talks", Title: "Weekly hybrid exchange", Start: mustTime(t, "2030-01-07T10:00:00+01:00"), End: mustTime(t, "2030-01-07T11:00:00+01:00"),
		TimeZone: "Europe/Brussels", RRule: "FREQ=WEEKLY;BYDAY=MO", LeadOrganization: "EU",
		Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}},
	}, storage.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		page, err := s.ListActivities(ctx, models.System(), models.ActivityFilter{From: mustTime(t, "2030-06-01T00:00:00Z"), To: mustTime(t, "2030-06-30T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		return int(page.Total)
	}
	if count() != 0 {
		t.Fatal("occurrences beyond the horizon were stored")
	}
	now = now.Add(180 * 24 * time.Hour)
	n, err := s.ExtendHorizons(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ExtendHorizons = %d, %v", n, err)
	}
	if count() != 1 {
		t.Fatal("the extended horizon does not reach June")
	}
	if n, _ := s.ExtendHorizons(ctx); n != 0 {
		t.Fatalf("a second extension changed %d activities", n)
	}
	// A booking in the newly covered summer (CEST) collides at 10:00 local.
	_, err = s.CreateActivity(ctx, models.System(), models.ActivityInput{
		Kind: "meeting", Title: "Clash", Start: mustTime(t, "2030-06-10T10:30:00+02:00"), End: mustTime(t, "2030-06-10T11:30:00+02:00"),
		TimeZone: "Europe/Brussels", LeadOrganization: "EU", Participants: []models.ParticipantInput{{Type: "body", IDOrCode: "PSC"}},
	}, storage.WriteOptions{})
	if _, ok := err.(*models.ConflictError); !ok {
		t.Fatalf("booking over the extended series: %v (series %d)", err, res.Activity.ID)
	}
}

// TestVisibilityAgreement: the Go predicate and the SQL scope decide the
// same for every combination of viewer and restriction.
func TestVisibilityAgreement(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	world(t, s)
	ctx := context.Background()
	for _, vis := range [][]models.Ref{nil, {"EU"}, {"NATO"}, {"EU", "NATO"}} {
		lead := models.Ref("EU")
		if len(vis) == 1 && vis[0] == "NATO" {
			lead = "NATO"
		}
		if _, err := s.CreateActivity(ctx, models.System(), models.ActivityInput{Kind: "meeting", Title: "v", Start: mustTime(t, "2031-01-01T10:00:00Z"), End: mustTime(t, "2031-01-01T11:00:00Z"), LeadOrganization: lead, Visibility: vis}, storage.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eu, _ := s.GetOrganization(ctx, "EU")
	nato, _ := s.GetOrganization(ctx, "NATO")
	for _, a := range []models.Actor{models.System(), {Role: models.RoleViewer}, {Role: models.RoleViewer, OrganizationID: eu.ID}, {Role: models.RolePlanner, OrganizationID: nato.ID}} {
		page, err := s.ListActivities(ctx, a, models.ActivityFilter{})
		if err != nil {
			t.Fatal(err)
		}
		listed := map[int64]bool{}
		for _, v := range page.Items {
			listed[v.ID] = true
		}
		for id := int64(1); id <= 4; id++ {
			_, err := s.GetActivity(ctx, a, id)
			if (err == nil) != listed[id] {
				t.Fatalf("actor %+v, activity %d: get err=%v, listed=%v", a, id, err, listed[id])
			}
		}
		want := map[models.Role]int{models.RoleAdmin: 4}[a.Role]
		switch {
		case a.Role == models.RoleAdmin:
		case a.OrganizationID == 0:
			want = 1
		default:
			want = 3
		}
		if int(page.Total) != want || len(page.Items) != want {
			t.Fatalf("actor %+v sees %d (total %d), want %d", a, len(page.Items), page.Total, want)
		}
	}
}
