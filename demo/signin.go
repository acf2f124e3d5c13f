package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
)

// Accounts are the demo's people who sign in with a role: an
// administrator, and a planner of each organisation (the EU–NATO desk
// officers of the report's world).
var Accounts = []models.GrantInput{
	{Person: "admin@jointcal.example", Role: models.RoleAdmin},
	{Person: "claire.dumont@eeas.example", Role: models.RolePlanner, Organization: "EU"},
	{Person: "olivia.grant@nato.example", Role: models.RolePlanner, Organization: "NATO"},
}

// grantAccounts gives the demo accounts their roles, creating the demo
// administrator (a person of no organisation). Granting again changes
// nothing, so loading twice stays idempotent.
func grantAccounts(ctx context.Context, store *storage.Store) error {
	sys := models.System()
	_, err := store.CreatePerson(ctx, sys, models.PersonInput{Name: "Demo administrator", Email: "admin@jointcal.example", TimeZone: "Europe/Brussels", Title: "jointcal administrator"})
	var dup *models.DuplicateError
	if err != nil && !errors.As(err, &dup) {
		return fmt.Errorf("demo administrator: %w", err)
	}
	for _, g := range Accounts {
		if _, err := store.GrantRole(ctx, sys, g); err != nil {
			return fmt.Errorf("grant %s to %s: %w", g.Role, g.Person, err)
		}
	}
	return nil
}
