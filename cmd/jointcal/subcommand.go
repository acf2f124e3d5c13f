package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// subcommand is one verb of a command with verbs (token create, user
// grant…).
type subcommand func(ctx context.Context, env *environment, args []string) error

// runSubcommand runs the verb args[0] names among verbs: no verb prints
// the usage to stderr and fails; --help prints it to stdout and succeeds.
func runSubcommand(ctx context.Context, env *environment, name, usage string, verbs map[string]subcommand, args []string) error {
	names := make([]string, 0, len(verbs))
	for v := range verbs {
		names = append(names, v)
	}
	sort.Strings(names)
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, usage)
		return fmt.Errorf("%s: a subcommand is required (%s)", name, strings.Join(names, ", "))
	}
	if isHelp(args[0]) {
		fmt.Fprintln(env.stdout, usage)
		return nil
	}
	if run, ok := verbs[args[0]]; ok {
		return run(ctx, env, args[1:])
	}
	return fmt.Errorf("%s: unknown subcommand %q (want %s)", name, args[0], strings.Join(names, ", "))
}
