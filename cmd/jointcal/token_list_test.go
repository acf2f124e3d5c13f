package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// TestTokenListShowsOwners: personal tokens appear in token list with
// their owner and scope, service tokens as such, never a secret.
func TestTokenListShowsOwners(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if _, _, err := c.run("token", "create", "--name", "ci", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := storage.Open(c.vars["JOINTCAL_DATABASE_URL"], models.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreatePerson(ctx, models.System(), models.PersonInput{Name: "Ana Planner", Email: "ana@eeas.example", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ActorForPerson(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.CreatePersonalToken(ctx, a, models.PersonalTokenInput{Name: "calendar tool", Scope: models.ScopeRead}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := c.run("token", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "OWNER") || !strings.Contains(lines[0], "SCOPE") ||
		!strings.Contains(lines[1], "service") || !strings.Contains(lines[1], "read_write") ||
		!strings.Contains(lines[2], "ana@eeas.example") || !strings.Contains(lines[2], " read ") || !strings.Contains(lines[2], "grants") ||
		strings.Contains(list, secret) {
		t.Fatalf("token list:\n%s", list)
	}
}
