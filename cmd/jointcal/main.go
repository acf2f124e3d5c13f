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
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones never depend on the host's zoneinfo

	"github.com/jointcal/jointcal/config"
)

// version and buildTime may be set at build time with
// -ldflags "-X main.version=1.2.0 -X main.buildTime=2026-11-28T12:00:00Z";
// otherwise they come from the module and VCS data Go records in the binary.
var (
	version   = ""
	buildTime = ""
)

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
	// environ lists the KEY=VALUE pairs of the environment, for the
	// warning about JOINTCAL_* variables no setting reads.
	environ func() []string
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the HTTP API (and, with --demo, load demo data first)", runServe},
		"migrate":   {"apply pending database migrations and exit", runMigrate},
		"demo":      {"load the demo data into the database (idempotent)", runDemo},
		"token":     {"create, list or revoke API tokens", runToken},
		"org":       {"create or list organisations (the first one of an empty database)", runOrg},
		"user":      {"give people roles, take them away, list who has which", runUser},
		"import":    {"import an iCalendar file as activities of an organisation", runImport},
		"scheduler": {"run the scheduled jobs (reminders, retries, horizon, digests) without the API", runScheduler},
		"version":   {"print the version", runVersion},
	}
}

func main() {
	setMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ}
	err := run(ctx, env, os.Args[1:])
	if code := exitCode(err); code != 0 {
		fmt.Fprintln(os.Stderr, "jointcal:", err)
		stop()
		os.Exit(code)
	}
}

// exitCode is the process status for the error a command returned: 0 for
// success and for --help (the usage asked for is printed), 2 otherwise.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// run dispatches to a subcommand.
func run(ctx context.Context, env *environment, args []string) error {
	cmds := commands()
	if len(args) == 0 {
		usage(env.stderr, cmds)
		return errors.New("a command is required")
	}
	if isHelp(args[0]) || args[0] == "help" {
		usage(env.stdout, cmds)
		return nil
	}
	if args[0] == "--version" || args[0] == "-version" {
		return runVersion(ctx, env, args[1:])
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

// isHelp reports whether arg asks for usage.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// command line of one subcommand: its FlagSet and the text --help shows.
type cmdLine struct {
	*flag.FlagSet
	env                   *environment
	synopsis, description string
}

// flags builds the flag set of a subcommand. description says what the
// command does, in full sentences; --help prints it with every flag.
func flags(env *environment, name, synopsis, description string) *cmdLine {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	c := &cmdLine{FlagSet: fs, env: env, synopsis: synopsis, description: description}
	fs.Usage = func() { c.printUsage(fs.Output()) }
	return c
}

func (c *cmdLine) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: jointcal %s\n\n%s\n", c.synopsis, strings.TrimSpace(c.description))
	hasFlags := false
	c.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		c.SetOutput(w)
		c.PrintDefaults()
		c.SetOutput(c.env.stderr)
	}
	fmt.Fprintln(w, "\nSettings come from JOINTCAL_* environment variables (see the README).")
}

// Parse reads args; --help anywhere before "--" prints the usage to
// stdout and returns flag.ErrHelp, which main turns into exit status 0.
func (c *cmdLine) Parse(args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelp(a) {
			c.printUsage(c.env.stdout)
			return flag.ErrHelp
		}
	}
	return c.FlagSet.Parse(args)
}

// buildInfo is what `jointcal version` prints: the version, the commit,
// the Go version and the build time, from the build info Go records (and
// the -ldflags overrides when a release build sets them).
type buildInfo struct {
	Version, Commit, GoVersion, Built string
	Modified                          bool
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: "unknown", GoVersion: runtime.Version(), Built: buildTime}
	info, ok := debug.ReadBuildInfo()
	if ok {
		if b.Version == "" && info.Main.Version != "" {
			b.Version = info.Main.Version
		}
		b.GoVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				if b.Built == "" {
					b.Built = s.Value + " (commit time)"
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Built == "" {
		b.Built = "unknown"
	}
	return b
}

func runVersion(_ context.Context, env *environment, args []string) error {
	fs := flags(env, "version", "version", "Print the version, the commit, the Go version and the build time of this binary.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b := readBuildInfo()
	commit := b.Commit
	if b.Modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(env.stdout, "jointcal %s\ncommit: %s\ngo: %s\nbuilt: %s\n", b.Version, commit, b.GoVersion, b.Built)
	return nil
}

// setMemoryLimit gives the Go runtime its soft memory limit from the
// configuration (JOINTCAL_MEMORY_LIMIT_BYTES) unless GOMEMLIMIT is set:
// rendering a very large feed allocates a lot briefly, and without a limit
// the heap keeps that peak. A configuration that does not load is left for
// the command to report.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if cfg, err := config.Load(os.Getenv); err == nil {
		debug.SetMemoryLimit(cfg.MemoryLimit())
	}
}
