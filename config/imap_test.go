package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestInboundIMAPSettings: polling is off by default; a complete set is
// read with its defaults (INBOX, implicit TLS, one minute) and enums in
// any case; a missing or bad piece stops the start with a message naming
// the setting, and never repeating the password.
func TestInboundIMAPSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.InboundIMAP.Enabled() || c.InboundIMAP.Mailbox != "INBOX" || c.InboundIMAP.TLS != IMAPTLSImplicit || c.InboundIMAP.Interval != time.Minute {
		t.Fatalf("defaults: %+v", c.InboundIMAP)
	}
	const password = "imap-s3cret-password"
	full := func(extra ...string) map[string]string {
		m := map[string]string{"JOINTCAL_INBOUND_IMAP_ADDR": "imap.example.org:993", "JOINTCAL_INBOUND_IMAP_USERNAME": "replies@example.org", "JOINTCAL_INBOUND_IMAP_PASSWORD": password}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	c, err = Load(env(full("JOINTCAL_INBOUND_IMAP_TLS", " StartTLS ", "JOINTCAL_INBOUND_IMAP_INTERVAL", "PT30S", "JOINTCAL_INBOUND_IMAP_MAILBOX", "Replies/Calendar")))
	if err != nil {
		t.Fatal(err)
	}
	want := InboundIMAP{Addr: "imap.example.org:993", Username: "replies@example.org", Password: password, Mailbox: "Replies/Calendar", TLS: IMAPTLSStartTLS, Interval: 30 * time.Second}
	if c.InboundIMAP != want || !c.InboundIMAP.Enabled() || c.InboundIMAP.Host() != "imap.example.org" || c.InboundIMAP.Password.Reveal() != password {
		t.Fatalf("read %+v, want %+v", c.InboundIMAP, want)
	}
	if c, err := Load(env(full("JOINTCAL_INBOUND_IMAP_ADDR", "127.0.0.1:1143", "JOINTCAL_INBOUND_IMAP_TLS", "NONE"))); err != nil || c.InboundIMAP.TLS != IMAPTLSNone {
		t.Fatalf("plain IMAP on loopback: %+v %v", c.InboundIMAP, err)
	}

	refused := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"address without username", map[string]string{"JOINTCAL_INBOUND_IMAP_ADDR": "imap.example.org:993", "JOINTCAL_INBOUND_IMAP_PASSWORD": password}, "JOINTCAL_INBOUND_IMAP_USERNAME is required"},
		{"address without password", map[string]string{"JOINTCAL_INBOUND_IMAP_ADDR": "imap.example.org:993", "JOINTCAL_INBOUND_IMAP_USERNAME": "replies"}, "JOINTCAL_INBOUND_IMAP_PASSWORD is required"},
		{"username without address", map[string]string{"JOINTCAL_INBOUND_IMAP_USERNAME": "replies", "JOINTCAL_INBOUND_IMAP_PASSWORD": password}, "JOINTCAL_INBOUND_IMAP_ADDR is required"},
		{"address without port", full("JOINTCAL_INBOUND_IMAP_ADDR", "imap.example.org"), "JOINTCAL_INBOUND_IMAP_ADDR"},
		{"address with a bad port", full("JOINTCAL_INBOUND_IMAP_ADDR", "imap.example.org:imaps"), "JOINTCAL_INBOUND_IMAP_ADDR"},
		{"unknown TLS mode", full("JOINTCAL_INBOUND_IMAP_TLS", "ssl"), "JOINTCAL_INBOUND_IMAP_TLS"},
		{"plain IMAP across a network", full("JOINTCAL_INBOUND_IMAP_TLS", "none"), "JOINTCAL_INBOUND_IMAP_TLS=none"},
		{"Go duration", full("JOINTCAL_INBOUND_IMAP_INTERVAL", "1m"), "JOINTCAL_INBOUND_IMAP_INTERVAL"},
		{"interval below a second", full("JOINTCAL_INBOUND_IMAP_INTERVAL", "PT0S"), "JOINTCAL_INBOUND_IMAP_INTERVAL"},
		{"empty mailbox", full("JOINTCAL_INBOUND_IMAP_MAILBOX", " "), "JOINTCAL_INBOUND_IMAP_MAILBOX"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tc.vars))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), password) {
				t.Fatalf("error %v: want one saying %q, without the password", err, tc.want)
			}
		})
	}
}

// TestSecretIsNeverPrinted: the IMAP password inside a Config is hidden
// from fmt (every verb that prints fields), slog (text and JSON) and
// encoding/json, so no dump of the configuration carries it.
func TestSecretIsNeverPrinted(t *testing.T) {
	t.Parallel()
	const password = "imap-s3cret-password"
	c, err := Load(env(map[string]string{"JOINTCAL_INBOUND_IMAP_ADDR": "imap.example.org:993", "JOINTCAL_INBOUND_IMAP_USERNAME": "replies", "JOINTCAL_INBOUND_IMAP_PASSWORD": password}))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "imap", c.InboundIMAP, "password", c.InboundIMAP.Password)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "config", c, "password", c.InboundIMAP.Password)
	encoded, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c), "%s": fmt.Sprintf("%s", c.InboundIMAP.Password),
		"slog": logs.String(), "json": string(encoded),
	} {
		if strings.Contains(out, password) || !strings.Contains(out, "(hidden)") {
			t.Errorf("%s shows the password or no (hidden) mark: %s", name, out)
		}
	}
}
