package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cli runs the command in-process against its own database file.
type cli struct {
	t    *testing.T
	vars map[string]string
}

func newCLI(t *testing.T) *cli {
	dir := t.TempDir()
	return &cli{t: t, vars: map[string]string{"JOINTCAL_DATABASE_URL": filepath.Join(dir, "cli.db"), "JOINTCAL_LOG_FORMAT": "text", "JOINTCAL_MAIL_DIR": filepath.Join(dir, "outbox")}}
}

func (c *cli) run(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	env := &environment{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.vars[k] }}
	err = run(context.Background(), env, args)
	return out.String(), errb.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out, _, err := c.run("--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"serve", "migrate", "demo", "token", "scheduler", "import", "version"} {
		if !strings.Contains(out, "  "+name) {
			t.Errorf("--help does not list %s:\n%s", name, out)
		}
	}
	for _, sub := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"demo", "--help"}, {"token", "create", "--help"}, {"version", "--help"}} {
		_, errOut, _ := c.run(sub...)
		if !strings.Contains(errOut, "Usage: jointcal") {
			t.Errorf("%v prints no usage: %q", sub, errOut)
		}
	}
	if out, _, err := c.run("version"); err != nil || !strings.HasPrefix(out, "jointcal ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, _, err := c.run("frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out, _, err := c.run("migrate"); err != nil || !strings.Contains(out, "applied 0001_init.sql") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out, _, err := c.run("migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q %v", out, err)
	}
	out, _, err := c.run("token", "create", "--name", "ci", "--role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	secret := lastLine(out)
	if !strings.HasPrefix(secret, "jc_") || len(secret) < 40 {
		t.Fatalf("last line is not a token: %q", out)
	}
	if _, _, err := c.run("token", "create", "--name", "p", "--role", "planner"); err == nil || !strings.Contains(err.Error(), "organization") {
		t.Fatalf("planner without --org: %v", err)
	}
	if _, _, err := c.run("token", "create", "--name", "x", "--role", "root"); err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad role: %v", err)
	}
	list, _, err := c.run("token", "list")
	if err != nil || !strings.Contains(list, "ci") || strings.Contains(list, secret) {
		t.Fatalf("token list (must never show secrets): %q %v", list, err)
	}
	if _, _, err := c.run("token", "revoke", "--id", "1"); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := c.run("token", "list"); !strings.Contains(list, "revoked") {
		t.Fatalf("revoked token not shown as such: %s", list)
	}
	if _, _, err := c.run("token", "revoke", "--id", "99"); err == nil {
		t.Fatal("revoking an unknown token succeeded")
	}
	c.vars["JOINTCAL_HORIZON"] = "forever"
	if _, _, err := c.run("token", "list"); err == nil || !strings.Contains(err.Error(), "JOINTCAL_HORIZON") {
		t.Fatalf("bad setting not named: %v", err)
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out, _, err := c.run("demo")
	if err != nil {
		t.Fatal(err)
	}
	var created, existing int
	if _, err := fmt.Sscanf(out, "demo data: %d created, %d already present", &created, &existing); err != nil || created < 50 || existing != 0 {
		t.Fatalf("first demo load: %q", out)
	}
	out, _, err = c.run("demo")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("demo data: 0 created, %d already present", created); !strings.HasPrefix(out, want) {
		t.Fatalf("second load: %q, want %q", out, want)
	}
}

// TestServeDemoAndGracefulShutdown starts `serve --demo` on a free port,
// uses the token it prints, and stops it as SIGTERM would.
func TestServeDemoAndGracefulShutdown(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.vars["JOINTCAL_LISTEN"] = "127.0.0.1:0"
	c.vars["JOINTCAL_BOOTSTRAP_ADMIN_TOKEN"] = "automation-secret-0123456789"
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	env := &environment{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.vars[k] }}
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"serve", "--demo"}) }()
	var base, token string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		s := out.String()
		if i := strings.Index(s, "export TOKEN="); i >= 0 && strings.Contains(s, "listening on ") {
			token = strings.Fields(s[i+len("export TOKEN="):])[0]
			base = strings.Fields(s[strings.Index(s, "listening on ")+len("listening on "):])[0]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s\n%s", err, out.String(), errb.String())
		default:
		}
	}
	if token == "" {
		t.Fatalf("serve printed no token:\n%s", out.String())
	}
	get := func(path, secret string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	if st, m := get("/api/v1/activities", token); st != 200 || m["total"].(float64) < 40 {
		t.Fatalf("demo activities: %d %v", st, m["total"])
	}
	if st, _ := get("/api/v1/organizations/EU", "automation-secret-0123456789"); st != 200 {
		t.Fatalf("bootstrap admin token refused: %d", st)
	}
	if st, _ := get("/readyz", ""); st != 200 {
		t.Fatalf("readyz: %d", st)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
	if !strings.Contains(errb.String(), "request_id=") {
		t.Fatalf("logs carry no request IDs:\n%s", errb.String())
	}
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if _, _, err := c.run("demo"); err != nil {
		t.Fatal(err)
	}
	file := "../../calendar/testdata/import/google_export.ics"
	out, _, err := c.run("import", file, "--organization", "EU", "--dry-run")
	if err != nil || !strings.Contains(out, "created") || !strings.Contains(out, "dry run: nothing written") {
		t.Fatalf("dry run: %q %v", out, err)
	}
	out, _, err = c.run("import", file, "--organization", "EU")
	if err != nil || !strings.HasPrefix(out, file+": 4 created, 0 updated, 0 unchanged") {
		t.Fatalf("import: %q %v", out, err)
	}
	out, _, _ = c.run("import", file, "--organization", "EU")
	if !strings.HasPrefix(out, file+": 0 created, 0 updated, 4 unchanged") {
		t.Fatalf("re-import: %q", out)
	}
	if _, _, err := c.run("import", "../../calendar/testdata/import/broken_garbage.ics", "--organization", "EU"); err == nil || !strings.Contains(err.Error(), "line") {
		t.Fatalf("broken file: %v", err)
	}
	if _, _, err := c.run("import", file); err == nil {
		t.Fatal("import without --organization succeeded")
	}
}

// TestImportCommandTimeZone: --timezone names the zone of floating times;
// an unknown zone is refused before anything is read or written.
func TestImportCommandTimeZone(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if _, _, err := c.run("demo"); err != nil {
		t.Fatal(err)
	}
	file := "../../calendar/testdata/import/clients/outlook2003_floating.ics"
	if _, _, err := c.run("import", file, "--organization", "EU", "--timezone", "Mars/Olympus"); err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Fatalf("unknown zone: %v", err)
	}
	out, _, err := c.run("import", file, "--organization", "EU", "--timezone", "America/New_York")
	if err != nil || !strings.HasPrefix(out, file+": 1 created") {
		t.Fatalf("import: %q %v", out, err)
	}
}
