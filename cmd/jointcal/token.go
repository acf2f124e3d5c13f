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

func runToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.stderr, "Usage: jointcal token create --name N --role admin|planner|viewer [--org CODE]\n       jointcal token list\n       jointcal token revoke --id N")
		if len(args) == 0 {
			return errors.New("token: a subcommand is required (create, list, revoke)")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return tokenCreate(ctx, env, args[1:])
	case "list":
		return tokenList(ctx, env, args[1:])
	case "revoke":
		return tokenRevoke(ctx, env, args[1:])
	}
	return fmt.Errorf("token: unknown subcommand %q (want create, list or revoke)", args[0])
}

func tokenCreate(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "token create", "token create --name N --role admin|planner|viewer [--org CODE]")
	name := fs.String("name", "", "who or what the token is for (required)")
	role := fs.String("role", "", "admin, planner or viewer (required)")
	org := fs.String("org", "", "organisation code the token is bound to (required for planner)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	t, secret, err := store.CreateToken(ctx, models.System(), models.TokenInput{Name: *name, Role: models.Role(*role), Organization: models.Ref(*org)})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "token %d (%s, %s%s) created; the secret is shown once:\n", t.ID, t.Name, t.Role, orgSuffix(t.OrganizationCode))
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
	fs := flags(env, "token list", "token list")
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
		return err
	}
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tORG\tCREATED\tLAST USED\tSTATUS")
	for _, t := range ts {
		status := "active"
		if t.RevokedAt != nil {
			status = "revoked " + t.RevokedAt.Format(time.RFC3339)
		}
		used := "never"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.OrganizationCode, t.CreatedAt.Format(time.RFC3339), used, status)
	}
	return w.Flush()
}

func tokenRevoke(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "token revoke", "token revoke --id N")
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
	if err := store.RevokeToken(ctx, models.System(), n); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("token revoke: no token with id %d", n)
		}
		return err
	}
	fmt.Fprintf(env.stdout, "token %d revoked\n", n)
	return nil
}
