package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	// A serve that should have refused to start stops here and returns
	// nil, failing its test, instead of running until the test timeout.
	// The bound is a guard against a hang, not a measure: the -race pass
	// beside other suites has taken over a minute for a demo load.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err = run(ctx, env, args)
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
	for _, name := range []string{"serve", "migrate", "demo", "token", "org", "user", "scheduler", "import", "version"} {
		if !strings.Contains(out, "  "+name) {
			t.Errorf("--help does not list %s:\n%s", name, out)
		}
	}
	if _, _, err := c.run("frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") || exitCode(err) == 0 {
		t.Fatalf("unknown command: %v", err)
	}
}

// TestEveryHelpIsFullAndExitsZero: each subcommand's --help prints its
// synopsis, what it does and its flags on stdout, and exits 0.
func TestEveryHelpIsFullAndExitsZero(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"Usage: jointcal serve [--demo]", "address is free", "-demo"}},
		{[]string{"migrate", "--help"}, []string{"Usage: jointcal migrate", "which migrations"}},
		{[]string{"demo", "-h"}, []string{"Usage: jointcal demo", "placed around today", "-scale", "-seed"}},
		{[]string{"token", "--help"}, []string{"token create", "token list", "token revoke", "--expires"}},
		{[]string{"token", "create", "--help"}, []string{"Usage: jointcal token create", "-expires", "-org"}},
		{[]string{"token", "list", "--help"}, []string{"Usage: jointcal token list"}},
		{[]string{"token", "revoke", "--help"}, []string{"Usage: jointcal token revoke", "-id"}},
		{[]string{"org", "--help"}, []string{"org create --code", "empty database"}},
		{[]string{"org", "create", "--help"}, []string{"Usage: jointcal org create", "-code", "-name", "-contact-email"}},
		{[]string{"user", "--help"}, []string{"user grant --email", "user revoke", "user list", "strongest grant"}},
		{[]string{"user", "grant", "--help"}, []string{"Usage: jointcal user grant", "-email", "-role", "-org"}},
		{[]string{"user", "list", "--help"}, []string{"Usage: jointcal user list", "-email"}},
		{[]string{"import", "--help"}, []string{"Usage: jointcal import FILE.ics", "-organization", "-dry-run"}},
		{[]string{"scheduler", "--help"}, []string{"Usage: jointcal scheduler", "JOINTCAL_SCHEDULER=off"}},
		{[]string{"version", "--help"}, []string{"Usage: jointcal version", "build time"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			out, errOut, err := c.run(tc.args...)
			if code := exitCode(err); code != 0 {
				t.Fatalf("exit status %d (%v)", code, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, out, errOut)
				}
			}
			if _, err := os.Stat(c.vars["JOINTCAL_DATABASE_URL"]); err == nil {
				t.Error("--help opened the database")
			}
		})
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, err := newCLI(t).run(args...)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "jointcal ") || !strings.HasPrefix(lines[1], "commit: ") ||
			lines[2] != "go: "+runtime.Version() || !strings.HasPrefix(lines[3], "built: ") {
			t.Fatalf("%v printed:\n%s", args, out)
		}
	}
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	db := c.vars["JOINTCAL_DATABASE_URL"]
	if out, _, err := c.run("migrate"); err != nil || !strings.Contains(out, "applied 0001_init.sql") || !strings.Contains(out, "SQLite file "+db+": ") {
		t.Fatalf("migrate does not say which database and migrations: %q %v", out, err)
	}
	if out, _, err := c.run("migrate"); err != nil || out != "SQLite file "+db+" is up to date\n" {
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
	if out, _, err := c.run("token", "revoke", "--id", "1"); err != nil || out != "token 1 revoked\n" {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if out, _, err := c.run("token", "revoke", "--id", "1"); err != nil || !strings.Contains(out, "token 1: token already revoked at ") {
		t.Fatalf("revoking a revoked token does not say so: %q %v", out, err)
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

// TestServeDemoTourAndGracefulShutdown starts `serve --demo` on a free
// port, uses the token it prints, runs the README's API tour
// (scripts/tour.sh) against it, and stops it as SIGTERM would.
func TestServeDemoTourAndGracefulShutdown(t *testing.T) {
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
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		s := out.String()
		if i := strings.Index(s, "export TOKEN="); i >= 0 && strings.Contains(s, "listening on ") && strings.Contains(s, "olivia.grant@nato.example") {
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
	runTour(t, base, token)
	signInWithDemoLink(t, out.String(), "planner EU", "EU")
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

// runTour runs scripts/tour.sh against base; any step that does not
// answer as the README says fails the test. Without curl or bash the tour
// is skipped with a message, except in CI (CI=true), where it fails.
func runTour(t *testing.T, base, token string) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "date"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the API tour needs %s, which CI must install", tool)
			}
			t.Logf("SKIP the API tour (scripts/tour.sh): %s is not installed", tool)
			return
		}
	}
	cmd := exec.Command("bash", "../../scripts/tour.sh", base)
	cmd.Env = append(os.Environ(), "TOKEN="+token, "TOUR_QUIET=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/tour.sh failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "The tour is complete.") {
		t.Fatalf("scripts/tour.sh stopped early:\n%s", out)
	}
}

// signInWithDemoLink uses the one-click link serve --demo printed for an
// account and checks who the session then is.
func signInWithDemoLink(t *testing.T, printed, account, org string) {
	t.Helper()
	var link string
	for _, line := range strings.Split(printed, "\n") {
		if strings.Contains(line, account) {
			link = strings.Fields(strings.TrimSpace(line))[2]
		}
	}
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no demo link for %s in:\n%s", account, printed)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(u.Scheme+"://"+u.Host+"/signin/link", url.Values{"token": {u.Query().Get("token")}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("demo link: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", u.Scheme+"://"+u.Host+"/api/v1/me", nil)
	for _, c := range res.Cookies() {
		req.AddCookie(c)
	}
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var me map[string]any
	_ = json.NewDecoder(res.Body).Decode(&me)
	if res.StatusCode != 200 || me["role"] != "planner" || me["organization"] != org {
		t.Fatalf("signed in with the demo link as %d %v", res.StatusCode, me)
	}
}
