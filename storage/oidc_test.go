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

// TestOIDCLoginIsUsedOnce: an attempt is found by its state once, and
// not after its lifetime.
func TestOIDCLoginIsUsedOnce(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		if err := s.SaveOIDCLogin(ctx, "state-1", "nonce-1", "verifier-1", 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveOIDCLogin(ctx, "state-2", "nonce-2", "verifier-2", 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		nonce, verifier, err := s.TakeOIDCLogin(ctx, "state-1")
		if err != nil || nonce != "nonce-1" || verifier != "verifier-1" {
			t.Fatalf("take: %q %q %v", nonce, verifier, err)
		}
		for _, state := range []string{"state-1", "unknown", ""} {
			if _, _, err := s.TakeOIDCLogin(ctx, state); !errors.Is(err, models.ErrOIDCLoginInvalid) {
				t.Errorf("%q: %v", state, err)
			}
		}
		now = now.Add(10 * time.Minute)
		if _, _, err := s.TakeOIDCLogin(ctx, "state-2"); !errors.Is(err, models.ErrOIDCLoginInvalid) {
			t.Fatalf("expired attempt: %v", err)
		}
	})
}

// TestOIDCPersonSyncsGroupGrants: groups add grants, and withdraw only
// the grants groups gave; grants made by hand stay.
func TestOIDCPersonSyncsGroupGrants(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		sys := models.System()
		ana, _ := s.GetPerson(ctx, "ana@eeas.example")
		if _, err := s.GrantRole(ctx, sys, models.GrantInput{Person: "ana@eeas.example", Role: models.RoleViewer, Organization: "NATO"}); err != nil {
			t.Fatal(err)
		}
		grants := func() map[string]bool {
			t.Helper()
			page, err := s.ListGrants(ctx, sys, "ana@eeas.example", models.ListOptions{})
			gs := page.Items
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, g := range gs {
				out[string(g.Role)+":"+g.OrganizationCode] = true
			}
			return out
		}
		steps := []struct {
			name   string
			grants []models.OIDCGrant
			want   []string
		}{
			{"groups give grants", []models.OIDCGrant{{Role: models.RolePlanner, Organization: "eu"}, {Role: models.RoleAdmin, Organization: ""}, {Role: models.RoleViewer, Organization: "NATO"}}, []string{"viewer:NATO", "planner:EU", "admin:"}},
			{"same groups change nothing", []models.OIDCGrant{{Role: models.RolePlanner, Organization: "EU"}, {Role: models.RoleAdmin, Organization: ""}}, []string{"viewer:NATO", "planner:EU", "admin:"}},
			{"a group gone withdraws its grant only", []models.OIDCGrant{{Role: models.RolePlanner, Organization: "EU"}}, []string{"viewer:NATO", "planner:EU"}},
			{"no groups keep the grant made by hand", nil, []string{"viewer:NATO"}},
		}
		for _, st := range steps {
			id, created, err := s.OIDCPerson(ctx, models.OIDCIdentity{Email: "ANA@eeas.example", Grants: st.grants, SyncGrants: true}, false)
			if err != nil || created || id != ana.ID {
				t.Fatalf("%s: %d %v %v", st.name, id, created, err)
			}
			got := grants()
			if len(got) != len(st.want) {
				t.Fatalf("%s: grants %v, want %v", st.name, got, st.want)
			}
			for _, w := range st.want {
				if !got[w] {
					t.Fatalf("%s: grants %v, want %v", st.name, got, st.want)
				}
			}
		}
		// An unknown organisation changes nothing.
		if _, _, err := s.OIDCPerson(ctx, models.OIDCIdentity{Email: "ana@eeas.example", Grants: []models.OIDCGrant{{Role: models.RoleAdmin, Organization: ""}, {Role: models.RolePlanner, Organization: "UN"}}, SyncGrants: true}, false); !errors.Is(err, models.ErrOIDCMapping) {
			t.Fatalf("unknown organisation: %v", err)
		}
		if got := grants(); len(got) != 1 {
			t.Fatalf("after a refused mapping: %v", got)
		}
		audit, err := s.ListAudit(ctx, sys, models.AuditFilter{Entity: "person", EntityID: ana.ID})
		if err != nil {
			t.Fatal(err)
		}
		byOIDC := 0
		for _, e := range audit.Items {
			if e.Actor == "oidc" && (e.Action == "grant" || e.Action == "revoke_grant") {
				byOIDC++
			}
		}
		if byOIDC != 4 {
			t.Fatalf("%d grant changes audited as oidc, want 4", byOIDC)
		}
	})
}

// TestOIDCPersonCreation: an unknown address is refused unless creation
// is on; then the person takes the organisation of the strongest mapped
// grant and the token's time zone when valid.
func TestOIDCPersonCreation(t *testing.T) {
	t.Parallel()
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		world(t, s)
		ctx := context.Background()
		in := models.OIDCIdentity{Email: "Dora@nato.example", Name: "Dora Duty", ZoneInfo: "Europe/Oslo", Grants: []models.OIDCGrant{{Role: models.RoleViewer, Organization: "EU"}, {Role: models.RolePlanner, Organization: "NATO"}}, SyncGrants: true}
		if _, _, err := s.OIDCPerson(ctx, in, false); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("without creation: %v", err)
		}
		if _, err := s.GetPerson(ctx, "Dora@nato.example"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a person was created: %v", err)
		}
		id, created, err := s.OIDCPerson(ctx, in, true)
		if err != nil || !created {
			t.Fatalf("create: %v %v", created, err)
		}
		p, err := s.GetPerson(ctx, "Dora@nato.example")
		if err != nil || p.ID != id || p.Name != "Dora Duty" || p.TimeZone != "Europe/Oslo" || p.OrganizationCode != "NATO" {
			t.Fatalf("created: %+v %v", p, err)
		}
		a, err := s.ActorForPerson(ctx, id)
		if err != nil || a.Role != models.RolePlanner {
			t.Fatalf("actor: %+v %v", a, err)
		}
		again, created, err := s.OIDCPerson(ctx, models.OIDCIdentity{Email: "dora@NATO.example"}, true)
		if err != nil || created || again != id {
			t.Fatalf("second sign-in: %d %v %v", again, created, err)
		}
		id2, _, err := s.OIDCPerson(ctx, models.OIDCIdentity{Email: "eve@example.org", ZoneInfo: "Mars/Olympus"}, true)
		if err != nil {
			t.Fatal(err)
		}
		eve, _ := s.GetPerson(ctx, "eve@example.org")
		if eve.ID != id2 || eve.Name != "eve@example.org" || eve.TimeZone != "UTC" || eve.OrganizationCode != "" {
			t.Fatalf("defaults: %+v", eve)
		}
		if _, _, err := s.OIDCPerson(ctx, models.OIDCIdentity{Email: "not an address"}, true); err == nil {
			t.Fatal("a person with a bad address was created")
		}
	})
}
