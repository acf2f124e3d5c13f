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
	if c.DatabaseURL != "./jointcal.db" || c.Listen != "127.0.0.1:8080" || c.Horizon != 3*365*24*time.Hour || c.MaxInstances != 5000 || c.MaxBodyBytes != 1<<20 {
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
