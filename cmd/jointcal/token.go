package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/jointcal/jointcal/models"
)

const tokenUsage = `Usage: jointcal token create --name N --role admin|planner|viewer [--org CODE] [--expires DURATION]
       jointcal token list
       jointcal token revoke --id N

Issue, list and revoke API tokens. The secret of a new token is printed
once, on the last line of the output, and only its hash is stored. A
planner token is bound to an organisation (create one first with
jointcal org create if the database is empty); --expires 720h makes a token
stop working after 30 days, with a 401 problem saying it expired.`

func runToken(ctx context.Context, env *environment, args []string) error {
	return runSubcommand(ctx, env, "token", tokenUsage, map[string]subcommand{"create": tokenCreate, "list": tokenList, "revoke": tokenRevoke}, args)
}

func tokenCreate(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "token create", "token create --name N --role admin|planner|viewer [--org CODE] [--expires DURATION]", `
Issue a token. The secret is printed once, on the last line; keep it, for
only its hash is stored. Admin tokens are not bound to an organisation;
planner tokens must be; viewer tokens may be.`)
	name := fs.String("name", "", "who or what the token is for (required)")
	role := fs.String("role", "", "admin, planner or viewer (required)")
	org := fs.String("org", "", "organisation code the token is bound to (required for planner)")
	expires := fs.Duration("expires", 0, "lifetime of the token, such as 720h for 30 days; 0 means valid until revoked")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *expires < 0 {
		return errors.New("token create: --expires must be a positive duration such as 720h")
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	in := models.TokenInput{Name: *name, Role: models.Role(*role), Organization: models.Ref(*org)}
	if *expires > 0 {
		exp := time.Now().Add(*expires).UTC().Truncate(time.Second)
		in.ExpiresAt = &exp
	}
	t, secret, err := store.CreateToken(ctx, models.System(), in)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	validity := "valid until revoked"
	if t.ExpiresAt != nil {
		validity = "valid until " + t.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(env.stdout, "token %d (%s, %s%s, %s) created; the secret is shown once:\n", t.ID, t.Name, t.Role, orgSuffix(t.OrganizationCode), validity)
	fmt.Fprintln(env.stdout, secret)
	return nil
}

func orgSuffix(code string) string {
	if code == "" {
		return ""
	}
	return ", " + code
}

func tokenList(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "token list", "token list", "List every token with its role, organisation, owner, scope, use and status; never its secret.\nA personal token (OWNER is a person) acts with its person's grants, so its ROLE is \"grants\".")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	ts, err := store.ListTokens(ctx, models.System())
	if err != nil {
		return fmt.Errorf("token list: %w", err)
	}
	now := time.Now()
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tORG\tOWNER\tSCOPE\tCREATED\tLAST USED\tSTATUS")
	for _, t := range ts {
		status := "active"
		switch {
		case t.RevokedAt != nil:
			status = "revoked " + t.RevokedAt.Format(time.RFC3339)
		case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
			status = "expired " + t.ExpiresAt.Format(time.RFC3339)
		case t.ExpiresAt != nil:
			status = "active until " + t.ExpiresAt.Format(time.RFC3339)
		}
		used := "never"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.Format(time.RFC3339)
		}
		role, owner := string(t.Role), "service"
		if t.PersonID != nil {
			role, owner = "grants", t.Owner
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, role, t.OrganizationCode, owner, t.Scope, t.CreatedAt.Format(time.RFC3339), used, status)
	}
	return w.Flush()
}

func tokenRevoke(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "token revoke", "token revoke --id N", "Revoke a token at once; the row stays for the audit trail. Revoking a revoked token changes nothing and says so.")
	id := fs.String("id", "", "id of the token to revoke (see token list)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if err != nil || n <= 0 {
		return errors.New("token revoke: --id must be a token id from `jointcal token list`")
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	err = store.RevokeToken(ctx, models.System(), n)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return fmt.Errorf("token revoke: no token with id %d", n)
	case errors.Is(err, models.ErrTokenAlreadyRevoked):
		fmt.Fprintf(env.stdout, "%v; nothing changed\n", err)
		return nil
	case err != nil:
		return fmt.Errorf("token revoke: %w", err)
	}
	fmt.Fprintf(env.stdout, "token %d revoked\n", n)
	return nil
}
