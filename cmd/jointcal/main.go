// Command jointcal is the single binary of the service: the HTTP server,
// migrations, demo data and token administration. It only wires the
// packages together; each subcommand lives in its own file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"
	_ "time/tzdata" // time zones never depend on the host's zoneinfo
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand: its one-line summary and its entry point.
type command struct {
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what commands read and write, so tests can run them
// in-process with their own streams and variables.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the HTTP API (and, with --demo, load demo data first)", runServe},
		"migrate":   {"apply pending database migrations and exit", runMigrate},
		"demo":      {"load the demo data into the database (idempotent)", runDemo},
		"token":     {"create, list or revoke API tokens", runToken},
		"import":    {"import an iCalendar file as activities of an organisation", runImport},
		"scheduler": {"run the scheduled jobs (reminders, retries, horizon, digests) without the API", runScheduler},
		"version":   {"print the version", runVersion},
	}
}

// defaultMemoryLimit is the Go runtime's soft memory limit unless
// GOMEMLIMIT says otherwise: rendering a very large feed allocates a lot
// briefly, and without a limit the heap keeps that peak.
const defaultMemoryLimit = 128 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := run(ctx, env, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "jointcal:", err)
		}
		os.Exit(2)
	}
}

// run dispatches to a subcommand.
func run(ctx context.Context, env *environment, args []string) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.stdout, cmds)
		if len(args) == 0 {
			return errors.New("a command is required")
		}
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		usage(env.stderr, cmds)
		return fmt.Errorf("unknown command %q", args[0])
	}
	return cmd.run(ctx, env, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "jointcal plans the joint meetings, exercises and briefings of two organisations.")
	fmt.Fprintln(w, "\nUsage: jointcal <command> [flags]   (jointcal <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from JOINTCAL_* environment variables; see the README.")
}

// flags builds a FlagSet whose --help prints the command's usage.
func flags(env *environment, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: jointcal %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func runVersion(_ context.Context, env *environment, args []string) error {
	fs := flags(env, "version", "version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "jointcal", version)
	return nil
}
