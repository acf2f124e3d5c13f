package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/jointcal/jointcal/models"
)

const userUsage = `Usage: jointcal user grant --email ADDRESS --role admin|planner|viewer [--org CODE]
       jointcal user revoke --email ADDRESS --role admin|planner|viewer [--org CODE]
       jointcal user list [--email ADDRESS]

Give people roles, take them away, and list who has which. A person signs
in with an e-mailed link or the organisation's identity provider and then
acts with their strongest grant; a person without any grant is a viewer of
their own organisation. A planner is bound to an organisation:
  jointcal user grant --email claire.dumont@eeas.example --role planner --org EU
The same is possible through the API (POST /api/v1/grants, administrators).`

func runUser(ctx context.Context, env *environment, args []string) error {
	return runSubcommand(ctx, env, "user", userUsage, map[string]subcommand{
		"grant": func(ctx context.Context, env *environment, args []string) error {
			return userGrant(ctx, env, "grant", args)
		},
		"revoke": func(ctx context.Context, env *environment, args []string) error {
			return userGrant(ctx, env, "revoke", args)
		},
		"list": userList,
	}, args)
}

// userGrant gives or takes a role.
func userGrant(ctx context.Context, env *environment, verb string, args []string) error {
	fs := flags(env, "user "+verb, "user "+verb+" --email ADDRESS --role admin|planner|viewer [--org CODE]", `
Give a person a role (grant) or take it away (revoke). Planners are bound
to an organisation; administrators are not. Audited as the command line.`)
	email := fs.String("email", "", "the person's e-mail address (required)")
	role := fs.String("role", "", "admin, planner or viewer (required)")
	org := fs.String("org", "", "organisation code, for a planner (or a viewer bound to one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *role == "" {
		fs.Usage()
		return fmt.Errorf("user %s: give --email and --role", verb)
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	in := models.GrantInput{Person: models.Ref(*email), Role: models.Role(*role), Organization: models.Ref(*org)}
	if verb == "revoke" {
		if err := store.RevokeGrant(ctx, models.System(), in); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return fmt.Errorf("user revoke: %s does not hold that role", *email)
			}
			return fmt.Errorf("user revoke: %w", err)
		}
		fmt.Fprintf(env.stdout, "%s is no longer %s\n", *email, describeGrant(in.Role, *org))
		return nil
	}
	if _, err := store.GrantRole(ctx, models.System(), in); err != nil {
		return fmt.Errorf("user grant: %w", err)
	}
	fmt.Fprintf(env.stdout, "%s is %s\n", *email, describeGrant(in.Role, *org))
	return nil
}

func describeGrant(role models.Role, org string) string {
	if org == "" {
		return string(role)
	}
	return string(role) + " of " + org
}

func userList(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "user list", "user list [--email ADDRESS]", "List the grants of every person, or of one.")
	email := fs.String("email", "", "only this person's grants")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PERSON\tROLE\tORGANISATION\tSINCE")
	grants, err := models.AllPages(func(opts models.ListOptions) (models.Page[models.Grant], error) {
		return store.ListGrants(ctx, models.System(), models.Ref(*email), opts)
	})
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("user list: no person with e-mail %q", *email)
	}
	if err != nil {
		return fmt.Errorf("user list: %w", err)
	}
	for _, g := range grants {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", g.Person, g.Role, g.OrganizationCode, g.CreatedAt.Format("2006-01-02"))
	}
	return w.Flush()
}
