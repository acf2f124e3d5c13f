package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/jointcal/jointcal/models"
)

const orgUsage = `Usage: jointcal org create --code CODE --name NAME [--contact-email ADDRESS]
       jointcal org list

Create or list organisations. An empty database has none, and a planner
token must be bound to one: create the first with, for example,
  jointcal org create --code EU --name "European Union" --contact-email coop@eeas.example
then issue tokens with jointcal token create. Further organisations may
also be added through the API (POST /api/v1/organizations).`

func runOrg(ctx context.Context, env *environment, args []string) error {
	return runSubcommand(ctx, env, "org", orgUsage, map[string]subcommand{"create": orgCreate, "list": orgList}, args)
}

func orgCreate(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "org create", "org create --code CODE --name NAME [--contact-email ADDRESS]", `
Create an organisation: the code (EU, NATO, …) is what tokens, activities
and visibility lists name it by.`)
	code := fs.String("code", "", "short unique code, such as EU or NATO (required)")
	name := fs.String("name", "", "full name (required)")
	email := fs.String("contact-email", "", "address of the organisation's cooperation desk")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	o, err := store.CreateOrganization(ctx, models.System(), models.OrganizationInput{Code: *code, Name: *name, ContactEmail: *email})
	if err != nil {
		return fmt.Errorf("org create: %w", err)
	}
	fmt.Fprintf(env.stdout, "organisation %d (%s, %s) created\n", o.ID, o.Code, o.Name)
	return nil
}

func orgList(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "org list", "org list", "List every organisation with its id, code, name and contact address.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCODE\tNAME\tCONTACT")
	orgs, err := models.AllPages(func(opts models.ListOptions) (models.Page[models.Organization], error) {
		return store.ListOrganizations(ctx, models.OrganizationFilter{ListOptions: opts})
	})
	if err != nil {
		return fmt.Errorf("org list: %w", err)
	}
	for _, o := range orgs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", o.ID, o.Code, o.Name, o.ContactEmail)
	}
	return w.Flush()
}
