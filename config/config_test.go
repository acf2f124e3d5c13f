package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "./jointcal.db" || c.Listen != "127.0.0.1:8080" || c.Horizon != 3*365*24*time.Hour || c.MaxInstances != 5000 || c.MaxBodyBytes != 1<<20 || c.SQLiteMmapBytes != 1<<30 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.PublicURL() != "http://127.0.0.1:8080" {
		t.Fatalf("PublicURL = %q", c.PublicURL())
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"JOINTCAL_LISTEN":                "8080",
		"JOINTCAL_BASE_URL":              "ftp://x",
		"JOINTCAL_BOOTSTRAP_ADMIN_TOKEN": "short",
		"JOINTCAL_LOG_FORMAT":            "xml",
		"JOINTCAL_HORIZON":               "3y",
		"JOINTCAL_MAX_INSTANCES":         "0",
		"JOINTCAL_BUFFER":                "-5m",
		"JOINTCAL_MAX_BODY_BYTES":        "12",
		"JOINTCAL_CRON_REMINDERS":        "every minute",
		"JOINTCAL_SMTP_TLS":              "ssl3",
		"JOINTCAL_SMTP_FROM":             "not an address",
		"JOINTCAL_REMINDER_DEFAULTS":     "meeting=tomorrow",
		"JOINTCAL_SCHEDULER":             "maybe",
		"JOINTCAL_SQLITE_MMAP_BYTES":     "-1",
		"JOINTCAL_MEMORY_LIMIT_BYTES":    "1048576",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(map[string]string{name: value}))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("Load(%s=%q) error = %v, want one naming the variable", name, value, err)
			}
		})
	}
}

// TestMemoryLimit: the Go soft memory limit follows the feed cache budget
// unless set.
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int64
	}{
		{"default", nil, 128 << 20},
		{"larger cache", map[string]string{"JOINTCAL_FEED_CACHE_BYTES": "268435456"}, 320 << 20},
		{"set", map[string]string{"JOINTCAL_FEED_CACHE_BYTES": "268435456", "JOINTCAL_MEMORY_LIMIT_BYTES": "104857600"}, 100 << 20},
	} {
		c, err := Load(env(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := c.MemoryLimit(); got != tc.want {
			t.Errorf("%s: MemoryLimit() = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestBaseURLTrimmed(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"JOINTCAL_BASE_URL": "https://cal.example.org/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL() != "https://cal.example.org" {
		t.Fatalf("PublicURL = %q", c.PublicURL())
	}
}

func TestReminderDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"JOINTCAL_REMINDER_DEFAULTS": "exercise=P14D,P2D; meeting=PT1H"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ReminderDefaults["exercise"]) != 2 || c.ReminderDefaults["exercise"][0] != 14*24*time.Hour || c.ReminderDefaults["meeting"][0] != time.Hour {
		t.Fatalf("defaults: %v", c.ReminderDefaults)
	}
	if c.Cron["reminders"] != "* * * * *" || !c.Scheduler {
		t.Fatalf("cron defaults: %v %v", c.Cron, c.Scheduler)
	}
}

// TestREADMEDocumentsEverySetting keeps the README's table complete.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		def := "`" + s.Default + "`"
		if s.Default == "" {
			def = "*(empty)*"
		}
		if !strings.Contains(string(readme), "| `"+s.Env+"` | "+def+" |") {
			t.Errorf("README lacks the row of %s with default %s", s.Env, def)
		}
	}
}

// TestScheduleParser checks the one cron reader that both the
// configuration and the scheduler use.
func TestScheduleParser(t *testing.T) {
	t.Parallel()
	for spec, ok := range map[string]bool{"* * * * *": true, "0 7 * * MON": true, "@every 30s": true, "@daily": true, "61 * * * *": false, "* * *": false, "": false} {
		if _, err := ScheduleParser().Parse(spec); (err == nil) != ok {
			t.Errorf("Parse(%q) = %v, want ok=%v", spec, err, ok)
		}
	}
}

// TestDatabaseURLIsCheckedBeforeConnecting: a foreign scheme, a missing
// directory or a PostgreSQL URL without a database name is refused with a
// message naming the variable and the fault (the SQLite driver said only
// "out of memory (14)", and a nameless URL filled the server's default
// database).
func TestDatabaseURLIsCheckedBeforeConnecting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		url, want string
	}{
		{"mysql://root@localhost/jointcal", `unsupported database "mysql"`},
		{"MySQL://root@localhost/jointcal", `unsupported database "mysql"`},
		{dir + "/missing/jointcal.db", "directory " + dir + "/missing does not exist"},
		{"sqlite:" + dir + "/missing/jointcal.db", "does not exist"},
		{dir, "is a directory"},
		{"postgres://postgres@127.0.0.1:5432/", "names no database"},
		{"postgres://postgres@127.0.0.1:5432", "names no database"},
		{"postgresql:///jointcal", "names no host"},
		{"   ", "must not be empty"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(map[string]string{"JOINTCAL_DATABASE_URL": tc.url}))
			if err == nil || !strings.Contains(err.Error(), "JOINTCAL_DATABASE_URL") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load(%q) error = %v, want one naming the variable and %q", tc.url, err, tc.want)
			}
		})
	}
	for _, ok := range []string{dir + "/jointcal.db", "sqlite:" + dir + "/x.db", "file:" + dir + "/y.db?cache=shared", "postgres://u:p@db.internal:5432/jointcal?sslmode=require"} {
		if _, err := Load(env(map[string]string{"JOINTCAL_DATABASE_URL": ok})); err != nil {
			t.Errorf("Load(%q) = %v, want accepted", ok, err)
		}
	}
}

func TestUnknownVariablesAreNamed(t *testing.T) {
	t.Parallel()
	got := UnknownVariables([]string{"JOINTCAL_LOG_LEVLE=debug", "JOINTCAL_LISTEN=:1", "HOME=/root", "JOINTCAL_TEST_DATABASE_URL=x", "JOINTCAL_DATABSE_URL=y", "JOINTCAL_METRICS_TOKEN=z"})
	if strings.Join(got, ",") != "JOINTCAL_DATABSE_URL,JOINTCAL_LOG_LEVLE" {
		t.Fatalf("UnknownVariables = %v", got)
	}
}

func TestEnumSettingsIgnoreCase(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"JOINTCAL_LOG_LEVEL": "DEBUG", "JOINTCAL_LOG_FORMAT": "Json", "JOINTCAL_SMTP_TLS": " STARTTLS ", "JOINTCAL_SCHEDULER": "Off"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LogLevel != "debug" || c.LogFormat != "json" || c.SMTPTLS != "starttls" || c.Scheduler {
		t.Fatalf("enum values not normalised: level %q format %q tls %q scheduler %v", c.LogLevel, c.LogFormat, c.SMTPTLS, c.Scheduler)
	}
}

func TestMetricsToken(t *testing.T) {
	t.Parallel()
	if _, err := Load(env(map[string]string{"JOINTCAL_METRICS_TOKEN": "short"})); err == nil || !strings.Contains(err.Error(), "JOINTCAL_METRICS_TOKEN") {
		t.Fatalf("short metrics token: %v", err)
	}
	c, err := Load(env(map[string]string{"JOINTCAL_METRICS_TOKEN": "scrape-secret-0123456789"}))
	if err != nil || c.MetricsToken != "scrape-secret-0123456789" {
		t.Fatalf("metrics token: %q %v", c.MetricsToken, err)
	}
}

// TestErrorsHideSecrets: a refused secret or database password is not
// repeated in the error, which reaches terminals and logs.
func TestErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, value, secret string }{
		{"JOINTCAL_BOOTSTRAP_ADMIN_TOKEN", "sh0rt", "sh0rt"},
		{"JOINTCAL_METRICS_TOKEN", "sh0rt", "sh0rt"},
		{"JOINTCAL_DATABASE_URL", "postgres://jc:s3cret@db.internal:5432/", "s3cret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(map[string]string{tc.name: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.name) || strings.Contains(err.Error(), tc.secret) {
				t.Fatalf("error %v: want one naming %s without %q", err, tc.name, tc.secret)
			}
		})
	}
}

func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	env := map[string]string{"JOINTCAL_SESSION_IDLE": "48h", "JOINTCAL_SESSION_MAX": "24h"}
	if _, err := Load(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "JOINTCAL_SESSION_IDLE") {
		t.Fatalf("idle longer than max: %v", err)
	}
	env = map[string]string{"JOINTCAL_BOOTSTRAP_ADMIN_EMAIL": "Ana <ana@eeas.example>"}
	if _, err := Load(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "JOINTCAL_BOOTSTRAP_ADMIN_EMAIL") {
		t.Fatalf("a display name: %v", err)
	}
	env = map[string]string{"JOINTCAL_BOOTSTRAP_ADMIN_EMAIL": "ana@eeas.example", "JOINTCAL_SESSION_IDLE": "2h"}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil || c.SignIn.BootstrapAdminEmail != "ana@eeas.example" || c.SignIn.SessionIdle != 2*time.Hour || c.SignIn.SessionMax != 720*time.Hour {
		t.Fatalf("%+v %v", c.SignIn, err)
	}
}

// TestTokenMaxLifetime: a year by default; a value that is not a Go
// duration, or shorter than an hour, stops the start naming the setting.
func TestTokenMaxLifetime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 365 * 24 * time.Hour, true},
		{"720h", 720 * time.Hour, true},
		{"P90D", 0, false},
		{"30m", 0, false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(map[string]string{"JOINTCAL_TOKEN_MAX_LIFETIME": tc.value}))
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), "JOINTCAL_TOKEN_MAX_LIFETIME") {
					t.Fatalf("error = %v, want one naming JOINTCAL_TOKEN_MAX_LIFETIME", err)
				}
				return
			}
			if err != nil || c.TokenMaxLifetime != tc.want {
				t.Fatalf("TokenMaxLifetime = %v (%v), want %v", c.TokenMaxLifetime, err, tc.want)
			}
		})
	}
}

// TestReplyTo: the reply address is the setting, else replies@ the
// public host, else replies@ the sender's domain; a bad value names the
// variable.
func TestReplyTo(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"JOINTCAL_REPLY_ADDRESS": "Plans <rsvp@plans.example>"}, "Plans <rsvp@plans.example>"},
		{map[string]string{"JOINTCAL_BASE_URL": "https://cal.example.org"}, "jointcal <replies@cal.example.org>"},
		{map[string]string{"JOINTCAL_BASE_URL": "http://127.0.0.1:8080", "JOINTCAL_SMTP_FROM": "jc <noreply@mail.example>"}, "jointcal <replies@mail.example>"},
		{map[string]string{}, "jointcal <replies@jointcal.localhost>"},
	} {
		c, err := Load(func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ReplyTo(); got != tt.want {
			t.Errorf("%v: ReplyTo() = %q, want %q", tt.env, got, tt.want)
		}
	}
	if _, err := Load(func(k string) string { return map[string]string{"JOINTCAL_REPLY_ADDRESS": "not an address"}[k] }); err == nil || !strings.Contains(err.Error(), "JOINTCAL_REPLY_ADDRESS") {
		t.Errorf("a bad reply address: %v", err)
	}
}
