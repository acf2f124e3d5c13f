package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jointcal/jointcal/config"
	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/storage"
	"github.com/libtnb/sqlite"
	"gorm.io/gorm"
)

// TestServeChecksBeforeWriting: with the port taken or the database URL
// unusable, serve fails naming the setting and writes nothing (it used to
// migrate, load the demo and issue a token before finding the port busy).
func TestServeChecksBeforeWriting(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // parallel subtests run after this function returns
	cases := []struct {
		name, variable, value, want string
	}{
		{"port in use", "JOINTCAL_LISTEN", busy.Addr().String(), "JOINTCAL_LISTEN=" + busy.Addr().String() + ": cannot listen"},
		{"mysql", "JOINTCAL_DATABASE_URL", "mysql://root@localhost/jointcal", `JOINTCAL_DATABASE_URL="mysql://root@localhost/jointcal": unsupported database "mysql"`},
		{"missing directory", "JOINTCAL_DATABASE_URL", "/nonexistent-dir/jointcal.db", "directory /nonexistent-dir does not exist"},
		{"postgres without a database name", "JOINTCAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/", "names no database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			db := c.vars["JOINTCAL_DATABASE_URL"]
			c.vars["JOINTCAL_LISTEN"] = "127.0.0.1:0"
			c.vars[tc.variable] = tc.value
			_, _, err := c.run("serve", "--demo")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve: %v, want an error containing %q", err, tc.want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Fatalf("serve created the database %s before failing", db)
			}
		})
	}
}

func TestUnknownVariableIsNamed(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	var out, errb bytes.Buffer
	env := &environment{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.vars[k] },
		environ: func() []string {
			return []string{"JOINTCAL_LOG_LEVLE=debug", "JOINTCAL_DATABASE_URL=" + c.vars["JOINTCAL_DATABASE_URL"], "PATH=/bin"}
		}}
	if err := run(context.Background(), env, []string{"migrate"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "unknown setting ignored") || !strings.Contains(errb.String(), "variable=JOINTCAL_LOG_LEVLE") || strings.Contains(errb.String(), "JOINTCAL_DATABASE_URL") {
		t.Fatalf("warning about JOINTCAL_LOG_LEVLE missing or wrong:\n%s", errb.String())
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out, _, err := c.run("token", "create", "--name", "contractor", "--role", "admin", "--expires", "720h")
	if err != nil || !strings.Contains(out, "valid until "+time.Now().Add(720*time.Hour).UTC().Format("2006-01-02")) {
		t.Fatalf("token create --expires: %q %v", out, err)
	}
	if out, _, err := c.run("token", "create", "--name", "forever", "--role", "admin"); err != nil || !strings.Contains(out, "valid until revoked") {
		t.Fatalf("token create: %q %v", out, err)
	}
	list, _, err := c.run("token", "list")
	if err != nil || !strings.Contains(list, "active until ") {
		t.Fatalf("token list does not show the expiry: %q %v", list, err)
	}
	if _, _, err := c.run("token", "create", "--name", "x", "--role", "admin", "--expires", "-1h"); err == nil || !strings.Contains(err.Error(), "--expires") {
		t.Fatalf("negative --expires: %v", err)
	}
}

// TestFirstOrganisationFromTheCommandLine: an empty database gets its
// first organisation, and then a planner token bound to it.
func TestFirstOrganisationFromTheCommandLine(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if _, _, err := c.run("token", "create", "--name", "p", "--role", "planner", "--org", "EU"); err == nil {
		t.Fatal("a planner token bound to a missing organisation was created")
	}
	out, _, err := c.run("org", "create", "--code", "EU", "--name", "European Union", "--contact-email", "coop@eeas.example")
	if err != nil || out != "organisation 1 (EU, European Union) created\n" {
		t.Fatalf("org create: %q %v", out, err)
	}
	if _, _, err := c.run("org", "create", "--code", "EU", "--name", "again"); err == nil {
		t.Fatal("a duplicate organisation was created")
	}
	if _, _, err := c.run("org", "create", "--name", "no code"); err == nil || !strings.Contains(err.Error(), "code") {
		t.Fatalf("org create without --code: %v", err)
	}
	if list, _, err := c.run("org", "list"); err != nil || !strings.Contains(list, "EU") || !strings.Contains(list, "coop@eeas.example") {
		t.Fatalf("org list: %q %v", list, err)
	}
	if out, _, err := c.run("token", "create", "--name", "p", "--role", "planner", "--org", "EU"); err != nil || !strings.Contains(out, "planner, EU") {
		t.Fatalf("planner token: %q %v", out, err)
	}
}

// TestScaleTwiceDoesNotDouble: the same --scale and --seed again adds
// nothing, and without a terminal no progress bar is drawn.
func TestScaleTwiceDoesNotDouble(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out, errOut, err := c.run("demo", "--scale", "30")
	if err != nil || !strings.HasPrefix(out, "generated 30 activities (0 already present)") {
		t.Fatalf("first scale: %q %v", out, err)
	}
	if strings.Contains(errOut, "\r") || strings.Contains(errOut, "activities") {
		t.Fatalf("progress drawn on a non-terminal: %q", errOut)
	}
	out, _, err = c.run("demo", "--scale", "30")
	if err != nil || !strings.HasPrefix(out, "generated 0 activities (30 already present)") {
		t.Fatalf("second scale: %q %v", out, err)
	}
	store, err := storage.Open(c.vars["JOINTCAL_DATABASE_URL"], models.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	page, err := store.ListActivities(context.Background(), models.System(), models.ActivityFilter{ListOptions: models.ListOptions{Limit: 1}})
	if err != nil || page.Total != 30 {
		t.Fatalf("activities after two runs: %d %v", page.Total, err)
	}
}

// TestScaleWritesACPUProfile: --cpuprofile leaves a profile of the
// generation that pprof can read (a gzip stream), and the data is made.
func TestScaleWritesACPUProfile(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	path := filepath.Join(t.TempDir(), "scale.prof")
	out, _, err := c.run("demo", "--scale", "20", "--cpuprofile", path)
	if err != nil || !strings.HasPrefix(out, "generated 20 activities") {
		t.Fatalf("scale with a profile: %q %v", out, err)
	}
	prof, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the profile: %v", err)
	}
	if len(prof) < 2 || prof[0] != 0x1f || prof[1] != 0x8b {
		t.Fatalf("the profile is not a gzip stream: %d bytes", len(prof))
	}
}

// TestDemoTokenIsRenewedNotPiledUp: each `serve --demo` start revokes the
// previous demo token and issues one that expires.
func TestDemoTokenIsRenewedNotPiledUp(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if _, _, err := c.run("migrate"); err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(c.vars["JOINTCAL_DATABASE_URL"], models.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	first, exp, err := renewDemoToken(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 23*time.Hour || d > demoTokenLifetime {
		t.Fatalf("demo token expires in %s", d)
	}
	second, _, err := renewDemoToken(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(ctx, first); err == nil {
		t.Fatal("the previous demo token still works")
	}
	if _, err := store.Authenticate(ctx, second); err != nil {
		t.Fatalf("the new demo token: %v", err)
	}
	ts, err := store.ListTokens(ctx, models.System())
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, tok := range ts {
		if tok.RevokedAt == nil {
			active++
			if tok.ExpiresAt == nil {
				t.Fatalf("demo token %d never expires", tok.ID)
			}
		}
	}
	if active != 1 {
		t.Fatalf("%d active demo tokens, want 1", active)
	}
}

// TestSecretsStayOutOfJSONLogs runs serve with JSON logs at debug level,
// uses every kind of secret, and checks that none appears in the log.
func TestSecretsStayOutOfJSONLogs(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	secrets := map[string]string{
		"JOINTCAL_BOOTSTRAP_ADMIN_TOKEN": "bootstrap-secret-0123456789",
		"JOINTCAL_METRICS_TOKEN":         "metrics-secret-0123456789",
		"JOINTCAL_SMTP_PASSWORD":         "smtp-secret-0123456789",
	}
	for k, v := range secrets {
		c.vars[k] = v
	}
	c.vars["JOINTCAL_LISTEN"] = "127.0.0.1:0"
	c.vars["JOINTCAL_LOG_FORMAT"] = "json"
	c.vars["JOINTCAL_LOG_LEVEL"] = "debug"
	c.vars["JOINTCAL_SMTP_HOST"] = "127.0.0.1"
	c.vars["JOINTCAL_SMTP_PORT"] = "1"
	c.vars["JOINTCAL_SMTP_TLS"] = "none"
	c.vars["JOINTCAL_SMTP_USERNAME"] = "jointcal"
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	env := &environment{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.vars[k] },
		environ: func() []string { return []string{"JOINTCAL_SMTP_PASSWROD=typo-secret-0123456789"} }}
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"serve"}) }()
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s := out.String(); strings.Contains(s, "listening on ") {
			base = strings.Fields(s[strings.Index(s, "listening on ")+len("listening on "):])[0]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve did not start: %v\n%s", <-done, errb.String())
	}
	feedSecret := "jc_feed-secret-0123456789abcdef"
	for _, r := range []struct{ path, bearer string }{
		{"/api/v1/organizations", secrets["JOINTCAL_BOOTSTRAP_ADMIN_TOKEN"]},
		{"/api/v1/organizations", "jc_wrong-secret-0123456789abcdef"},
		{"/metrics", secrets["JOINTCAL_METRICS_TOKEN"]},
		{"/feeds/" + feedSecret + ".ics", ""},
	} {
		req, _ := http.NewRequest("GET", base+r.path, nil)
		if r.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+r.bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	logs := errb.String()
	if !strings.Contains(logs, `"request_id"`) || !strings.Contains(logs, "JOINTCAL_SMTP_PASSWROD") {
		t.Fatalf("the log lacks request lines or the unknown-variable warning:\n%s", logs)
	}
	for _, s := range []string{secrets["JOINTCAL_BOOTSTRAP_ADMIN_TOKEN"], secrets["JOINTCAL_METRICS_TOKEN"], secrets["JOINTCAL_SMTP_PASSWORD"], "typo-secret-0123456789", "jc_wrong-secret-0123456789abcdef", feedSecret} {
		if strings.Contains(logs, s) {
			t.Errorf("secret %q reached the log:\n%s", s, logs)
		}
	}
}

// TestDescribeDatabaseHidesPasswords: messages name the database, never
// the password in its URL.
func TestDescribeDatabaseHidesPasswords(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"postgres://jc:s3cret@db.internal:5432/jointcal?sslmode=require": `PostgreSQL database "jointcal" on db.internal:5432 as jc`,
		"sqlite:/var/lib/jointcal/jc.db":                                 "SQLite file /var/lib/jointcal/jc.db",
		filepath.Join("data", "jc.db"):                                   "SQLite file data/jc.db",
	}
	for in, want := range cases {
		if got := describeDatabase(in); got != want {
			t.Errorf("describeDatabase(%q) = %q, want %q", in, got, want)
		}
	}
	_, err := config.Load(func(k string) string {
		if k == "JOINTCAL_DATABASE_URL" {
			return "postgres://jc:s3cret@db.internal:5432/"
		}
		return ""
	})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("URL without a database name: %v (want refused, without the password)", err)
	}
}

// TestForeignDatabaseIsLeftAlone: a URL that names someone else's
// database (it holds tables, none of them jointcal's schema_migrations)
// is refused by migrate and serve, and nothing is created in it.
func TestForeignDatabaseIsLeftAlone(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"migrate"}, {"serve", "--demo"}, {"token", "list"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.vars["JOINTCAL_LISTEN"] = "127.0.0.1:0"
			path := c.vars["JOINTCAL_DATABASE_URL"]
			db, err := gorm.Open(sqlite.Open(path), &gorm.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)").Error; err != nil {
				t.Fatal(err)
			}
			_, _, err = c.run(args...)
			if err == nil || !strings.Contains(err.Error(), "JOINTCAL_DATABASE_URL") || !strings.Contains(err.Error(), "is not jointcal's") {
				t.Fatalf("%v on a foreign database: %v", args, err)
			}
			var tables []string
			if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").Scan(&tables).Error; err != nil {
				t.Fatal(err)
			}
			if strings.Join(tables, ",") != "invoices" {
				t.Fatalf("tables after %v: %v", args, tables)
			}
			sqlDB, _ := db.DB()
			sqlDB.Close()
		})
	}
}

// TestUserGrants: roles are given, listed and taken away from the command
// line, with messages that name what is wrong.
func TestUserGrants(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if _, _, err := c.run("demo"); err != nil {
		t.Fatal(err)
	}
	if out, _, err := c.run("user", "grant", "--email", "ana.ribeiro@eeas.example", "--role", "planner", "--org", "EU"); err != nil || out != "ana.ribeiro@eeas.example is planner of EU\n" {
		t.Fatalf("grant: %q %v", out, err)
	}
	for _, bad := range [][]string{
		{"user", "grant", "--email", "ana.ribeiro@eeas.example", "--role", "planner"},
		{"user", "grant", "--email", "nobody@example.org", "--role", "viewer"},
		{"user", "grant", "--email", "ana.ribeiro@eeas.example", "--role", "owner"},
		{"user", "grant", "--role", "viewer"},
	} {
		if _, _, err := c.run(bad...); err == nil || exitCode(err) == 0 {
			t.Errorf("%v accepted", bad)
		}
	}
	list, _, err := c.run("user", "list", "--email", "ana.ribeiro@eeas.example")
	if err != nil || !strings.Contains(list, "planner") || !strings.Contains(list, "EU") {
		t.Fatalf("list: %q %v", list, err)
	}
	if all, _, _ := c.run("user", "list"); !strings.Contains(all, "admin@jointcal.example") || !strings.Contains(all, "olivia.grant@nato.example") {
		t.Fatalf("the demo accounts are not listed:\n%s", all)
	}
	if out, _, err := c.run("user", "revoke", "--email", "ana.ribeiro@eeas.example", "--role", "planner", "--org", "EU"); err != nil || !strings.Contains(out, "no longer planner of EU") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if _, _, err := c.run("user", "revoke", "--email", "ana.ribeiro@eeas.example", "--role", "planner", "--org", "EU"); err == nil || !strings.Contains(err.Error(), "does not hold") {
		t.Fatalf("revoke twice: %v", err)
	}
}
