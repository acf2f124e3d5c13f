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

func TestGrantsMakeThePersonsActor(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		ana, err := s.GetPerson(ctx, "ana@eeas.example")
		if err != nil {
			t.Fatal(err)
		}
		eu, _ := s.GetOrganization(ctx, "EU")
		a, err := s.ActorForPerson(ctx, ana.ID)
		if err != nil || a.Role != models.RoleViewer || a.OrganizationID != eu.ID || a.PersonID != ana.ID {
			t.Fatalf("without grants: %+v %v", a, err)
		}
		for _, bad := range []models.GrantInput{
			{Person: "ana@eeas.example", Role: models.RolePlanner},
			{Person: "ana@eeas.example", Role: models.RoleAdmin, Organization: "EU"},
			{Person: "nobody@example", Role: models.RoleViewer},
			{Person: "ana@eeas.example", Role: "owner"},
		} {
			var ve *models.ValidationError
			if _, err := s.GrantRole(ctx, sys, bad); !errors.As(err, &ve) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		g, err := s.GrantRole(ctx, sys, models.GrantInput{Person: "ana@eeas.example", Role: models.RolePlanner, Organization: "EU"})
		if err != nil || g.Person != "ana@eeas.example" || g.OrganizationCode != "EU" {
			t.Fatalf("grant: %+v %v", g, err)
		}
		if again, err := s.GrantRole(ctx, sys, models.GrantInput{Person: "ana@eeas.example", Role: models.RolePlanner, Organization: "EU"}); err != nil || again.ID != g.ID {
			t.Fatalf("granting twice: %+v %v", again, err)
		}
		a, _ = s.ActorForPerson(ctx, ana.ID)
		if a.Role != models.RolePlanner || a.OrganizationID != eu.ID {
			t.Fatalf("planner: %+v", a)
		}
		if _, err := s.GrantRole(ctx, a, models.GrantInput{Person: "ana@eeas.example", Role: models.RoleAdmin}); err == nil {
			t.Fatal("a planner granted herself admin")
		}
		if _, err := s.GrantRole(ctx, sys, models.GrantInput{Person: "ana@eeas.example", Role: models.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if a, _ = s.ActorForPerson(ctx, ana.ID); a.Role != models.RoleAdmin || a.OrganizationID != 0 {
			t.Fatalf("the strongest grant wins: %+v", a)
		}
		if err := s.RevokeGrant(ctx, sys, models.GrantInput{Person: "ana@eeas.example", Role: models.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeGrant(ctx, sys, models.GrantInput{Person: "ana@eeas.example", Role: models.RoleAdmin}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("revoking twice: %v", err)
		}
		grants, err := s.ListGrants(ctx, sys, "ana@eeas.example", models.ListOptions{})
		gs := grants.Items
		if err != nil || len(gs) != 1 || gs[0].Role != models.RolePlanner {
			t.Fatalf("list: %+v %v", gs, err)
		}
		page, err := s.ListAudit(ctx, sys, models.AuditFilter{Entity: "person", EntityID: ana.ID})
		if err != nil || len(page.Items) != 4 {
			t.Fatalf("create, grant, grant, revoke audited: %d entries (%v)", len(page.Items), err)
		}
	})
}

func TestSignInLinksAndSessions(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		now := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		set := models.DefaultSessionSettings()
		if _, _, err := s.CreateSignInLink(ctx, "stranger@example.org", set); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("unknown address: %v", err)
		}
		secret, p, err := s.CreateSignInLink(ctx, "ANA@eeas.example", set)
		if err != nil || p.Email != "ana@eeas.example" || secret == "" {
			t.Fatalf("link: %v", err)
		}
		cookie, a, err := s.RedeemSignInLink(ctx, secret, "test browser", set)
		if err != nil || a.PersonID != p.ID || cookie == "" || cookie == secret {
			t.Fatalf("redeem: %+v %v", a, err)
		}
		if _, _, err := s.RedeemSignInLink(ctx, secret, "", set); !errors.Is(err, models.ErrSignInLinkInvalid) {
			t.Fatalf("a link used twice: %v", err)
		}
		// Expiry.
		late, _, err := s.CreateSignInLink(ctx, "ana@eeas.example", set)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(set.LinkTTL + time.Second)
		if _, _, err := s.RedeemSignInLink(ctx, late, "", set); !errors.Is(err, models.ErrSignInLinkInvalid) {
			t.Fatalf("an expired link: %v", err)
		}
		// Rate limit per address.
		for i := 0; i < set.LinksPerAddress; i++ {
			if _, _, err := s.CreateSignInLink(ctx, "ana@eeas.example", set); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.CreateSignInLink(ctx, "ana@eeas.example", set); !errors.Is(err, models.ErrTooManySignInLinks) {
			t.Fatalf("past the limit: %v", err)
		}
		// The session works, then idles out.
		got, id, err := s.SessionActor(ctx, cookie, set)
		if err != nil || got.PersonID != p.ID || id == 0 {
			t.Fatalf("session: %+v %v", got, err)
		}
		now = now.Add(set.Idle + time.Minute)
		if _, _, err := s.SessionActor(ctx, cookie, set); !errors.Is(err, models.ErrUnauthenticated) {
			t.Fatalf("an idle session: %v", err)
		}
		// Two sessions; sign out of one, then everywhere.
		c1, a1, _ := s.StartSession(ctx, p.ID, models.SignInDemo, "one", set)
		c2, _, _ := s.StartSession(ctx, p.ID, models.SignInDemo, "two", set)
		_, id1, _ := s.SessionActor(ctx, c1, set)
		list, err := s.ListSessions(ctx, a1, id1, set)
		if err != nil || len(list) != 2 || !(list[0].Current || list[1].Current) {
			t.Fatalf("sessions: %+v %v", list, err)
		}
		if err := s.EndSession(ctx, a1, id1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionActor(ctx, c1, set); !errors.Is(err, models.ErrUnauthenticated) {
			t.Fatalf("signed out: %v", err)
		}
		// Two: the second, and the first (link) session, idle but not ended.
		if n, err := s.EndAllSessions(ctx, a1); err != nil || n != 2 {
			t.Fatalf("everywhere: %d %v", n, err)
		}
		if _, _, err := s.SessionActor(ctx, c2, set); !errors.Is(err, models.ErrUnauthenticated) {
			t.Fatalf("signed out everywhere: %v", err)
		}
		// Absolute end.
		c3, _, _ := s.StartSession(ctx, p.ID, models.SignInDemo, "three", set)
		for i := 0; i < 40; i++ {
			now = now.Add(set.Absolute / 40)
			s.SessionActor(ctx, c3, set) //nolint:errcheck
		}
		if _, _, err := s.SessionActor(ctx, c3, set); !errors.Is(err, models.ErrUnauthenticated) {
			t.Fatalf("past the absolute end: %v", err)
		}
	})
}

// TestBootstrapAdminEmail: the configured address becomes an
// administrator at sign-in; nobody else does.
func TestBootstrapAdminEmail(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		set := models.DefaultSessionSettings()
		set.BootstrapAdminEmail = "ANA@eeas.example"
		ana, _ := s.GetPerson(ctx, "ana@eeas.example")
		ben, _ := s.GetPerson(ctx, "ben@nato.example")
		if _, a, err := s.StartSession(ctx, ben.ID, models.SignInLink, "", set); err != nil || a.Role != models.RoleViewer {
			t.Fatalf("ben: %+v %v", a, err)
		}
		for i := 0; i < 2; i++ {
			if _, a, err := s.StartSession(ctx, ana.ID, models.SignInLink, "", set); err != nil || a.Role != models.RoleAdmin {
				t.Fatalf("ana, sign-in %d: %+v %v", i+1, a, err)
			}
		}
		page, err := s.ListGrants(ctx, models.System(), "", models.ListOptions{})
		gs := page.Items
		if err != nil || len(gs) != 1 || gs[0].Person != "ana@eeas.example" || gs[0].Role != models.RoleAdmin {
			t.Fatalf("grants: %+v %v", gs, err)
		}
		// Withdrawn by an administrator, it does not come back.
		if err := s.RevokeGrant(ctx, models.System(), models.GrantInput{Person: "ana@eeas.example", Role: models.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if _, a, err := s.StartSession(ctx, ana.ID, models.SignInLink, "", set); err != nil || a.Role == models.RoleAdmin {
			t.Fatalf("after revocation: %+v %v", a, err)
		}
	})
}

// TestBootstrapAdminOnlyWithoutAdministrators: a deployment that has an
// administrator already makes nobody one through the setting.
func TestBootstrapAdminOnlyWithoutAdministrators(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	world(t, s)
	ctx := context.Background()
	if _, err := s.GrantRole(ctx, models.System(), models.GrantInput{Person: "ben@nato.example", Role: models.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	set := models.DefaultSessionSettings()
	set.BootstrapAdminEmail = "ana@eeas.example"
	ana, _ := s.GetPerson(ctx, "ana@eeas.example")
	if _, a, err := s.StartSession(ctx, ana.ID, models.SignInLink, "", set); err != nil || a.Role == models.RoleAdmin {
		t.Fatalf("ana: %+v %v", a, err)
	}
}

// TestDemoLinksReplaceEachOther: a restart's demo links end the earlier
// ones, so links printed long ago stop working.
func TestDemoLinksReplaceEachOther(t *testing.T) {
	t.Parallel()
	s := storagetest.Open(t)
	world(t, s)
	ctx := context.Background()
	first, err := s.CreateDemoSignInLink(ctx, "ana@eeas.example", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateDemoSignInLink(ctx, "ana@eeas.example", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInLinkEmail(ctx, first); !errors.Is(err, models.ErrSignInLinkInvalid) {
		t.Fatalf("the earlier link still works: %v", err)
	}
	if email, err := s.SignInLinkEmail(ctx, second); err != nil || email != "ana@eeas.example" {
		t.Fatalf("the new link: %q %v", email, err)
	}
}
