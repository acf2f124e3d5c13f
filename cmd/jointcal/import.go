package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
)

func runImport(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "import", "import FILE.ics --organization CODE [--timezone ZONE] [--dry-run] [--partial] [--json]", `
Import an iCalendar file (an Outlook or Google export) as activities led by
an organisation. A re-import updates what changed and duplicates nothing;
floating times are read in --timezone, else the file's X-WR-TIMEZONE, else
the organisation's zone. The file is imported whole or not at all unless
--partial; conflicts are reported. A progress bar is drawn only when
stderr is a terminal.`)
	org := fs.String("organization", "", "organisation that leads the imported activities (required)")
	dry := fs.Bool("dry-run", false, "report what would change, write nothing")
	partial := fs.Bool("partial", false, "import the valid events even when others are invalid")
	asJSON := fs.Bool("json", false, "print the full report as JSON")
	tz := fs.String("timezone", "", "IANA zone of floating times when the file has no X-WR-TIMEZONE (default: the organisation's)")
	// Flags may follow the file name, as the usage line shows.
	var files []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 || *org == "" {
		fs.Usage()
		return errors.New("import: give one .ics file and --organization")
	}
	cfg, store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	zone, err := store.ImportZone(ctx, models.Ref(*org), *tz)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	parsed, err := calendar.ParseImport(f, calendar.ImportOptions{DefaultZone: zone, Limits: calendar.ImportLimits{MaxBytes: cfg.ImportMaxBytes, MaxEvents: cfg.ImportMaxEvents}})
	if err != nil {
		return fmt.Errorf("import: %s: %w", files[0], err)
	}
	opts := models.ImportOptions{Organization: models.Ref(*org), DryRun: *dry, Partial: *partial}
	if isTerminal(env.stderr) && len(parsed.Events) >= 200 {
		opts.Progress = func(done, total int) {
			width := 40
			filled := width * done / max(total, 1)
			fmt.Fprintf(env.stderr, "\r[%s%s] %d/%d events", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
			if done == total {
				fmt.Fprintln(env.stderr)
			}
		}
	}
	rep, err := store.Import(ctx, models.System(), parsed, opts)
	if err != nil && !errors.Is(err, models.ErrImportInvalid) {
		return fmt.Errorf("import: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		mode := ""
		if rep.DryRun {
			mode = " (dry run: nothing written)"
		}
		fmt.Fprintf(env.stdout, "%s: %d created, %d updated, %d unchanged, %d skipped, %d conflicts, %d errors%s\n",
			files[0], rep.Created, rep.Updated, rep.Unchanged, len(rep.Skipped), len(rep.Conflicts), len(rep.Errors), mode)
		for _, e := range rep.Errors {
			fmt.Fprintf(env.stdout, "  line %d: %s\n", e.Line, e.Message)
		}
		for _, w := range rep.Warnings {
			fmt.Fprintf(env.stdout, "  warning: line %d: %s\n", w.Line, w.Message)
		}
		for _, sk := range rep.Skipped {
			fmt.Fprintf(env.stdout, "  skipped %s: %s\n", sk.UID, sk.Reason)
		}
		for _, c := range rep.Conflicts {
			fmt.Fprintf(env.stdout, "  conflict %s: %s on %s %s, %s – %s\n", c.UID, c.Rule, c.Resource.Type, c.Resource.Code, c.Overlap.Start.Format("2006-01-02 15:04Z"), c.Overlap.End.Format("15:04Z"))
		}
	}
	if errors.Is(err, models.ErrImportInvalid) {
		return fmt.Errorf("import: %w (use --partial to import the valid ones)", err)
	}
	return nil
}

// isTerminal reports whether w is a character device (a progress bar is
// for people, not for logs).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
