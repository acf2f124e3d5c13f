package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
)

// Secret is a setting that must never be printed: its String, GoString,
// slog and JSON forms are "(hidden)", so a Config dumped with %+v, logged
// or encoded does not carry it. Reveal hands the value to the one place
// that needs it (the login).
type Secret string

// hidden is what every printed form of a Secret shows.
const hidden = "(hidden)"

// Reveal is the secret itself, for the code that authenticates with it.
func (s Secret) Reveal() string { return string(s) }

// String hides the secret from fmt's %v and %s.
func (s Secret) String() string { return hidden }

// GoString hides the secret from fmt's %#v.
func (s Secret) GoString() string { return hidden }

// LogValue hides the secret from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(hidden) }

// MarshalJSON hides the secret from encoding/json.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(hidden)), nil }

// MarshalText hides the secret from encoders that use text forms (map
// keys, YAML, XML attributes).
func (s Secret) MarshalText() ([]byte, error) { return []byte(hidden), nil }

// IMAPTLS is how the IMAP poller protects its connection, named as
// JOINTCAL_INBOUND_IMAP_TLS takes them.
type IMAPTLS string

// The modes of JOINTCAL_INBOUND_IMAP_TLS.
const (
	// IMAPTLSImplicit starts TLS before IMAP (port 993, RFC 8314): the
	// default, since the password crosses the connection.
	IMAPTLSImplicit IMAPTLS = "tls"
	// IMAPTLSStartTLS upgrades a plain connection (port 143) with
	// STARTTLS and fails if the server does not offer it.
	IMAPTLSStartTLS IMAPTLS = "starttls"
	// IMAPTLSNone speaks plain IMAP: only to a server on a loopback
	// address, where the password does not cross a network.
	IMAPTLSNone IMAPTLS = "none"
)

// InboundIMAP is where the iTIP replies mailed to the reply address are
// fetched from when jointcal does not receive them by SMTP: a mailbox of
// the mail server that receives (and authenticates) them, polled every
// Interval. All of it is set, or none (Addr empty: no polling).
type InboundIMAP struct {
	// Addr is the server's host:port; empty turns polling off.
	Addr string
	// Username and Password log in.
	Username string
	Password Secret
	// Mailbox is the folder that receives the replies (INBOX).
	Mailbox string
	// TLS protects the connection.
	TLS IMAPTLS
	// Interval is the time between two polls.
	Interval time.Duration
}

// Enabled reports whether IMAP polling is configured.
func (i InboundIMAP) Enabled() bool { return i.Addr != "" }

// Host is the server's name, which its TLS certificate must carry.
func (i InboundIMAP) Host() string {
	host, _, err := net.SplitHostPort(i.Addr)
	if err != nil {
		return i.Addr
	}
	return host
}

// inboundIMAPSettings lists the JOINTCAL_INBOUND_IMAP_* variables.
func inboundIMAPSettings() []Setting {
	return []Setting{
		{"JOINTCAL_INBOUND_IMAP_ADDR", "", "host:port of the IMAP server whose mailbox receives the calendar answers mailed to the reply address (such as imap.example.org:993), polled with the scheduled jobs as an alternative or complement to JOINTCAL_INBOUND_LISTEN; that mail server authenticates senders; empty turns polling off", func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				c.InboundIMAP.Addr = ""
				return nil
			}
			host, port, err := net.SplitHostPort(v)
			if err != nil || host == "" || port == "" {
				return errors.New("want host:port, such as imap.example.org:993")
			}
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return errors.New("want host:port with a port number, such as imap.example.org:993")
			}
			c.InboundIMAP.Addr = v
			return nil
		}},
		{"JOINTCAL_INBOUND_IMAP_USERNAME", "", "user of that mailbox; required with JOINTCAL_INBOUND_IMAP_ADDR", func(c *Config, v string) error {
			c.InboundIMAP.Username = strings.TrimSpace(v)
			return nil
		}},
		{"JOINTCAL_INBOUND_IMAP_PASSWORD", "", "password of that user (never logged); required with JOINTCAL_INBOUND_IMAP_ADDR", func(c *Config, v string) error {
			c.InboundIMAP.Password = Secret(v)
			return nil
		}},
		{"JOINTCAL_INBOUND_IMAP_MAILBOX", "INBOX", "the folder polled for answers; each is marked \\Seen once recorded or refused (refused ones also \\Flagged)", func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				return errors.New("want a mailbox name such as INBOX")
			}
			c.InboundIMAP.Mailbox = v
			return nil
		}},
		{"JOINTCAL_INBOUND_IMAP_TLS", "tls", "tls (implicit, port 993), starttls (port 143) or none (only to a loopback address)", func(c *Config, v string) error {
			var mode string
			if err := oneOf(&mode, v, string(IMAPTLSImplicit), string(IMAPTLSStartTLS), string(IMAPTLSNone)); err != nil {
				return err
			}
			c.InboundIMAP.TLS = IMAPTLS(mode)
			return nil
		}},
		{"JOINTCAL_INBOUND_IMAP_INTERVAL", "PT1M", "time between two polls of the mailbox (ISO 8601 duration, at least PT1S)", func(c *Config, v string) error {
			d, err := isoduration.Parse(strings.TrimSpace(v))
			if err != nil {
				return errors.New("want an ISO 8601 duration such as PT1M or PT30S")
			}
			if d < time.Second {
				return errors.New("must be at least PT1S")
			}
			c.InboundIMAP.Interval = d
			return nil
		}},
	}
}

// check checks what no single JOINTCAL_INBOUND_IMAP_* setting can check
// alone: all or nothing, and no password in clear across a network.
func (i InboundIMAP) check() error {
	if !i.Enabled() {
		if i.Username != "" || i.Password != "" {
			return errors.New("config: JOINTCAL_INBOUND_IMAP_ADDR is required when JOINTCAL_INBOUND_IMAP_USERNAME or JOINTCAL_INBOUND_IMAP_PASSWORD is set")
		}
		return nil
	}
	switch {
	case i.Username == "":
		return errors.New("config: JOINTCAL_INBOUND_IMAP_USERNAME is required when JOINTCAL_INBOUND_IMAP_ADDR is set")
	case i.Password == "":
		return errors.New("config: JOINTCAL_INBOUND_IMAP_PASSWORD is required when JOINTCAL_INBOUND_IMAP_ADDR is set")
	case i.TLS == IMAPTLSNone && !isLoopback(i.Host()):
		return fmt.Errorf("config: JOINTCAL_INBOUND_IMAP_TLS=none would send the password in clear to %s; use tls or starttls (none is for a server on a loopback address)", i.Host())
	}
	return nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
