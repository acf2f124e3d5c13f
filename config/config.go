// Package config reads jointcal's settings from JOINTCAL_* environment
// variables into one typed, validated Config, so that a bad value stops the
// start with a message naming the setting instead of failing later.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jointcal/jointcal/isoduration"
	"github.com/robfig/cron/v3"
)

// Config holds every setting of the service. Each field names its
// environment variable and default in Settings, which is also the source of
// the README's configuration table.
type Config struct {
	// DatabaseURL selects the store: a postgres:// URL, or a SQLite file
	// path (optionally prefixed with sqlite: or file:).
	DatabaseURL string
	// Listen is the TCP address the HTTP server binds.
	Listen string
	// BaseURL is the public URL of the service, used in links (feeds,
	// e-mails); empty means http://<Listen>.
	BaseURL string
	// BootstrapAdminToken, when set, exists as an admin token after start.
	BootstrapAdminToken string
	// LogFormat is text, json or auto (text on a terminal, json otherwise).
	LogFormat string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// SQLiteMmapBytes is how much of a SQLite database file is read
	// through a memory map (PRAGMA mmap_size); 0 turns the map off.
	SQLiteMmapBytes int64
	// Horizon bounds occurrence expansion into the future.
	Horizon time.Duration
	// MaxInstances caps the occurrences of one activity.
	MaxInstances int
	// Buffer is the global minimum gap between two occurrences of the same
	// person or body (soft rule); 0 disables it.
	Buffer time.Duration
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after SIGTERM.
	ShutdownTimeout time.Duration
	// MaxBodyBytes bounds the size of a JSON request body.
	MaxBodyBytes int64
	// FeedRefresh is the polling interval feeds suggest to clients
	// (REFRESH-INTERVAL, X-PUBLISHED-TTL, Cache-Control max-age).
	FeedRefresh time.Duration
	// FeedPast is how far back a feed reaches by default.
	FeedPast time.Duration
	// FeedRetention is how long cancelled and deleted activities stay in
	// feeds as STATUS:CANCELLED so subscribed clients remove them.
	FeedRetention time.Duration
	// FeedCacheBytes bounds the memory that rendered feed events, feed
	// layouts and compressed feeds may hold, so that no number of feeds or
	// windows can grow the process beyond it.
	FeedCacheBytes int64
	// AgendaCacheBytes bounds the memory of the conflicts agenda's cached
	// answers (a month at 100,000 activities is about 2 MB of JSON and
	// its gzip form), least recently used first out.
	AgendaCacheBytes int64
	// AgendaComputes is how many conflicts agendas (API and pages) may be
	// computed at once; more wait up to 5 s, then get 503 with
	// Retry-After (models.Settings.AgendaComputes).
	AgendaComputes int
	// MemoryLimitBytes is the Go runtime's soft memory limit (0: the feed
	// cache budget plus memoryHeadroom); see MemoryLimit.
	MemoryLimitBytes int64
	// FeedRenders is how many feed requests may read and render events at
	// once; more wait briefly, then get 503 with Retry-After, so that a burst
	// of cold feeds cannot take every core and all memory.
	FeedRenders int
	// MaxFeedsPerOwner is how many live feeds one person or organisation
	// may own; each feed is a standing cost of polls and cache.
	MaxFeedsPerOwner int

	// SMTP delivers notices; with no SMTPHost they go to MailDir as .eml
	// files (and to the log), so a demo needs no mail server.
	SMTPHost, SMTPTLS, SMTPUsername, SMTPPassword, SMTPFrom string
	// InboundListen is where the iTIP reply listener (SMTP) listens; empty
	// turns it off.
	InboundListen string
	// InboundIMAP polls a mailbox for the same answers (config/imap.go).
	InboundIMAP InboundIMAP
	// ReplyAddress is the ORGANIZER of invitations, where calendar
	// clients send iTIP replies; empty derives one (see ReplyTo).
	ReplyAddress string
	SMTPPort     int
	SMTPTimeout  time.Duration
	MailDir      string
	// Cron holds the schedule of each job (standard five-field specs).
	Cron map[string]string
	// Scheduler runs the jobs inside serve when true.
	Scheduler bool
	// ReminderDefaults are the offsets of activities that set none, by kind.
	ReminderDefaults map[string][]time.Duration
	// ReminderMaxAttempts bounds delivery attempts of one notice.
	ReminderMaxAttempts int
	// ReminderLease is how long a claimed notice may stay unsent before
	// another dispatcher takes it over (a crashed instance).
	ReminderLease time.Duration
	// ProposalTTL is how long a proposal waits for its answers.
	ProposalTTL time.Duration
	// ReplyChase is how long before an occurrence the lead planners hear
	// of the required participants who have not answered; 0 turns it off.
	ReplyChase time.Duration
	// ImportMaxBytes and ImportMaxEvents bound one iCalendar file.
	ImportMaxBytes  int64
	ImportMaxEvents int
	// ImportAsyncEvents is the size above which an import runs as a job.
	ImportAsyncEvents int
	// FetchTimeout bounds one external-calendar download; FetchAllow lists
	// internal address ranges that may nevertheless be fetched.
	FetchTimeout time.Duration
	FetchAllow   []netip.Prefix
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client.
	TrustedProxies []netip.Prefix
	// OIDC is sign-in with an OpenID Connect provider (config/oidc.go).
	OIDC OIDC
	// SignIn holds session lifetimes and the first administrator
	// (config/signin.go).
	SignIn SignIn
	// TokenMaxLifetime bounds the expiry a person may give a personal
	// access token, so that no personal token lives forever.
	TokenMaxLifetime time.Duration
	// MetricsToken, when set, must be presented as a bearer token to read
	// /metrics, so a server reachable from outside does not publish its
	// internals to anyone.
	MetricsToken string
}

// Jobs names the scheduled jobs and their JOINTCAL_CRON_* variables.
var Jobs = []string{"reminders", "retry", "horizon", "digest", "sync", "proposals", "chase"}

// Setting documents one environment variable: its name, default and meaning.
type Setting struct {
	Env, Default, Meaning string
	apply                 func(c *Config, v string) error
}

// Settings lists every JOINTCAL_* variable in the order the README shows them:
// each area's settings in turn, as the functions below declare them.
func Settings() []Setting {
	return slices.Concat(serverSettings(), planningSettings(), requestSettings(), feedSettings(),
		mailSettings(), schedulerSettings(), reminderSettings(), importSettings(), tokenSettings(),
		followUpSettings(), oidcSettings(), signInSettings(), inboundIMAPSettings())
}

// serverSettings are the database, the HTTP listener and its public URL,
// the bootstrap token and logging: what serve needs before anything else.
func serverSettings() []Setting {
	return []Setting{
		{"JOINTCAL_DATABASE_URL", "./jointcal.db", "postgres://… URL naming its database, or a SQLite file path in an existing directory (sqlite:PATH and file:PATH accepted)", func(c *Config, v string) error {
			if err := checkDatabaseURL(v); err != nil {
				return err
			}
			c.DatabaseURL = v
			return nil
		}},
		{"JOINTCAL_SQLITE_MMAP_BYTES", "1073741824", "on SQLite, how much of the database file is read through a memory map instead of a system call per page, in bytes (default 1 GiB; 0 turns it off; mapped pages are shared page cache but count in the process's resident memory)", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > 1<<40 {
				return errors.New("want an integer from 0 to 1099511627776 (1 TiB)")
			}
			c.SQLiteMmapBytes = n
			return nil
		}},
		{"JOINTCAL_LISTEN", "127.0.0.1:8080", "address the HTTP server listens on", func(c *Config, v string) error {
			if !strings.Contains(v, ":") {
				return errors.New("want host:port")
			}
			c.Listen = v
			return nil
		}},
		{"JOINTCAL_BASE_URL", "", "public URL used in links; empty means http://<listen>", func(c *Config, v string) error {
			if v == "" {
				c.BaseURL = ""
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("want an absolute http(s) URL")
			}
			c.BaseURL = strings.TrimRight(v, "/")
			return nil
		}},
		{"JOINTCAL_BOOTSTRAP_ADMIN_TOKEN", "", "when set, this token exists as an admin token after start (for automation); at least 20 characters", func(c *Config, v string) error {
			if v != "" && len(v) < 20 {
				return errors.New("must be at least 20 characters")
			}
			c.BootstrapAdminToken = v
			return nil
		}},
		{"JOINTCAL_LOG_FORMAT", "auto", "text, json, or auto (text on a terminal, json otherwise)", func(c *Config, v string) error {
			return oneOf(&c.LogFormat, v, "auto", "text", "json")
		}},
		{"JOINTCAL_LOG_LEVEL", "info", "debug, info, warn or error", func(c *Config, v string) error {
			return oneOf(&c.LogLevel, v, "debug", "info", "warn", "error")
		}},
	}
}

// planningSettings bound the expansion of recurring activities and set the
// soft gap between two occurrences of the same person or body.
func planningSettings() []Setting {
	return []Setting{
		{"JOINTCAL_HORIZON", "26280h", "how far ahead recurring activities are expanded (Go duration; default 3 years)", durationSetting(func(c *Config) *time.Duration { return &c.Horizon }, time.Hour)},
		{"JOINTCAL_MAX_INSTANCES", "5000", "most occurrences one activity may have inside the horizon", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1_000_000 {
				return errors.New("want an integer from 1 to 1000000")
			}
			c.MaxInstances = n
			return nil
		}},
		{"JOINTCAL_BUFFER", "0s", "minimum gap between two occurrences of the same person or body (soft rule); 0 disables", durationSetting(func(c *Config) *time.Duration { return &c.Buffer }, 0)},
	}
}

// requestSettings bound what one HTTP request may take: its body and the
// time it may still run after SIGTERM.
func requestSettings() []Setting {
	return []Setting{
		{"JOINTCAL_SHUTDOWN_TIMEOUT", "15s", "how long in-flight requests may run after SIGTERM", durationSetting(func(c *Config) *time.Duration { return &c.ShutdownTimeout }, time.Second)},
		{"JOINTCAL_MAX_BODY_BYTES", "1048576", "largest accepted JSON request body", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return errors.New("want an integer of at least 1024")
			}
			c.MaxBodyBytes = n
			return nil
		}},
	}
}

// feedSettings shape the iCalendar feeds and bound what they may cost:
// polling interval, reach, retention, cache memory, concurrent renders and
// feeds per owner.
func feedSettings() []Setting {
	return []Setting{
		{"JOINTCAL_FEED_REFRESH", "1h", "how often feeds ask calendar clients to poll (REFRESH-INTERVAL, Cache-Control)", durationSetting(func(c *Config) *time.Duration { return &c.FeedRefresh }, time.Minute)},
		{"JOINTCAL_FEED_PAST", "2160h", "how far back a feed reaches by default (90 days)", durationSetting(func(c *Config) *time.Duration { return &c.FeedPast }, 0)},
		{"JOINTCAL_FEED_RETENTION", "2160h", "how long cancelled and deleted activities stay in feeds as cancelled (90 days)", durationSetting(func(c *Config) *time.Duration { return &c.FeedRetention }, 0)},
		{"JOINTCAL_FEED_CACHE_BYTES", "67108864", "memory for rendered feed events and compressed feeds, in bytes (default 64 MiB; least recently used goes first)", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1<<20 {
				return errors.New("want an integer of at least 1048576 (1 MiB)")
			}
			c.FeedCacheBytes = n
			return nil
		}},
		{"JOINTCAL_AGENDA_CACHE_BYTES", "16777216", "memory for the conflicts agenda's cached answers, in bytes (default 16 MiB; least recently used goes first; 0 turns the cache off)", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return errors.New("want a non-negative integer")
			}
			c.AgendaCacheBytes = n
			return nil
		}},
		{"JOINTCAL_AGENDA_COMPUTES", "2", "conflicts agendas (API and pages) that may be computed at once; more wait up to 5 s, then get 503 with Retry-After (one costs about 50 MB and most of a core for 0.7 s at 100,000 activities)", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 64 {
				return errors.New("want an integer from 1 to 64")
			}
			c.AgendaComputes = n
			return nil
		}},
		{"JOINTCAL_MEMORY_LIMIT_BYTES", "0", "soft limit of the Go heap, in bytes, above which garbage is collected more often so that memory taken by a burst of feed renders is given back (0: JOINTCAL_FEED_CACHE_BYTES plus 64 MiB; GOMEMLIMIT, when set, wins)", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || (n != 0 && n < 32<<20) {
				return errors.New("want 0 or an integer of at least 33554432 (32 MiB)")
			}
			c.MemoryLimitBytes = n
			return nil
		}},
		{"JOINTCAL_FEED_RENDERS", "2", "feed requests that may read and render events at once; more wait up to 2 s, then get 503 with Retry-After", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 64 {
				return errors.New("want an integer from 1 to 64")
			}
			c.FeedRenders = n
			return nil
		}},
		{"JOINTCAL_MAX_FEEDS_PER_OWNER", "20", "live feeds one person or organisation may own", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100000 {
				return errors.New("want an integer from 1 to 100000")
			}
			c.MaxFeedsPerOwner = n
			return nil
		}},
	}
}

// mailSettings are outgoing mail (SMTP or .eml files), the reply address
// of invitations and the listener that takes the answers.
func mailSettings() []Setting {
	return []Setting{
		{"JOINTCAL_SMTP_HOST", "", "SMTP server; empty writes notices as .eml files to JOINTCAL_MAIL_DIR and logs them", func(c *Config, v string) error { c.SMTPHost = v; return nil }},
		{"JOINTCAL_SMTP_PORT", "587", "SMTP port", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 65535 {
				return errors.New("want a port number")
			}
			c.SMTPPort = n
			return nil
		}},
		{"JOINTCAL_SMTP_TLS", "starttls", "starttls, tls (implicit, port 465) or none (loopback only)", func(c *Config, v string) error {
			return oneOf(&c.SMTPTLS, v, "starttls", "tls", "none")
		}},
		{"JOINTCAL_SMTP_USERNAME", "", "SMTP user (empty: no authentication)", func(c *Config, v string) error { c.SMTPUsername = v; return nil }},
		{"JOINTCAL_SMTP_PASSWORD", "", "SMTP password", func(c *Config, v string) error { c.SMTPPassword = v; return nil }},
		{"JOINTCAL_SMTP_FROM", "jointcal <noreply@jointcal.localhost>", "sender of notices", func(c *Config, v string) error {
			if _, err := mail.ParseAddress(v); err != nil {
				return errors.New("want an address such as jointcal <noreply@example.org>")
			}
			c.SMTPFrom = v
			return nil
		}},
		{"JOINTCAL_REPLY_ADDRESS", "", "ORGANIZER of invitations, to which calendar clients send their answers (Accept in Outlook, Gmail, Apple Mail); empty means jointcal <replies@HOST>, HOST being that of JOINTCAL_BASE_URL, else the domain of JOINTCAL_SMTP_FROM", func(c *Config, v string) error {
			if v == "" {
				c.ReplyAddress = ""
				return nil
			}
			if _, err := mail.ParseAddress(v); err != nil {
				return errors.New("want an address such as jointcal <replies@example.org>")
			}
			c.ReplyAddress = v
			return nil
		}},
		{"JOINTCAL_INBOUND_LISTEN", "", "host:port of the SMTP listener that takes the calendar answers mailed to the reply address (such as 127.0.0.1:2525, behind the mail server of that address, which authenticates senders); runs with the scheduled jobs; empty turns it off", func(c *Config, v string) error {
			if v == "" {
				c.InboundListen = ""
				return nil
			}
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return errors.New("want host:port, such as 127.0.0.1:2525")
			}
			c.InboundListen = v
			return nil
		}},
		{"JOINTCAL_SMTP_TIMEOUT", "30s", "connect and command timeout for SMTP", durationSetting(func(c *Config) *time.Duration { return &c.SMTPTimeout }, time.Second)},
		{"JOINTCAL_MAIL_DIR", "./outbox", "where notices are written as .eml files when no SMTP server is set", func(c *Config, v string) error { c.MailDir = v; return nil }},
	}
}

// schedulerSettings say whether serve runs the scheduled jobs and when
// each job runs (JOINTCAL_CRON_*).
func schedulerSettings() []Setting {
	return []Setting{
		{"JOINTCAL_SCHEDULER", "on", "run the scheduled jobs inside serve (on/off); `jointcal scheduler` runs them alone", func(c *Config, v string) error {
			var on string
			if err := oneOf(&on, v, "on", "off"); err != nil {
				return err
			}
			c.Scheduler = on == "on"
			return nil
		}},
		cronSetting("reminders", "* * * * *", "reminder dispatch: plan, claim and send due notices"),
		cronSetting("retry", "*/5 * * * *", "outbox retry: re-send notices whose backoff has passed"),
		cronSetting("horizon", "30 3 * * *", "occurrence-horizon extension of recurring activities"),
		cronSetting("digest", "0 * * * *", "weekly agenda digest, sent at Monday 07:00 in each recipient's zone (checked hourly)"),
		cronSetting("sync", "* * * * *", "external-calendar sync (each subscription is fetched on its own refresh interval)"),
		cronSetting("chase", "*/15 * * * *", "reply chase: tell the lead planners which required participants have not answered an occurrence starting within JOINTCAL_REPLY_CHASE (once per occurrence)"),
		cronSetting("proposals", "*/5 * * * *", "proposal expiry: close proposals unanswered for JOINTCAL_PROPOSAL_TTL, cancel their activities and tell the lead; and close cross-briefing requests whose wished window passed undecided"),
	}
}

// reminderSettings are the default reminder offsets by kind and how often
// one notice is tried.
func reminderSettings() []Setting {
	return []Setting{
		{"JOINTCAL_REMINDER_DEFAULTS", "exercise=P14D,P2D;exercise_phase=P7D,P1D;meeting=P1D,PT1H;cross_briefing=P1D,PT1H;staff_talks=P1D,PT1H", "reminder offsets of activities that set none, by kind", func(c *Config, v string) error {
			m, err := parseReminderDefaults(v)
			c.ReminderDefaults = m
			return err
		}},
		{"JOINTCAL_REMINDER_MAX_ATTEMPTS", "8", "delivery attempts of one notice before it is failed", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 50 {
				return errors.New("want 1 to 50")
			}
			c.ReminderMaxAttempts = n
			return nil
		}},
	}
}

// importSettings bound iCalendar imports and external-calendar downloads,
// and name the internal addresses those downloads may nevertheless reach.
func importSettings() []Setting {
	return []Setting{
		{"JOINTCAL_IMPORT_MAX_BYTES", "10485760", "largest iCalendar file accepted by import and external sync", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return errors.New("want an integer of at least 1024")
			}
			c.ImportMaxBytes = n
			return nil
		}},
		{"JOINTCAL_IMPORT_MAX_EVENTS", "50000", "most events in one iCalendar file", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return errors.New("want a positive integer")
			}
			c.ImportMaxEvents = n
			return nil
		}},
		{"JOINTCAL_IMPORT_ASYNC_EVENTS", "2000", "an import of more events than this runs as a job (202 and a job to poll) instead of in the request", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return errors.New("want a positive integer")
			}
			c.ImportAsyncEvents = n
			return nil
		}},
		{"JOINTCAL_FETCH_TIMEOUT", "30s", "connect-and-download limit for one external calendar", durationSetting(func(c *Config) *time.Duration { return &c.FetchTimeout }, time.Second)},
		{"JOINTCAL_FETCH_ALLOW", "", "comma-separated CIDR ranges of private, loopback or link-local addresses that external calendars may nevertheless use (refused by default)", func(c *Config, v string) error {
			var err error
			c.FetchAllow, err = prefixes(v)
			return err
		}},
	}
}

// tokenSettings protect /metrics and bound the life of personal access
// tokens.
func tokenSettings() []Setting {
	return []Setting{
		{"JOINTCAL_METRICS_TOKEN", "", "when set, /metrics answers only requests bearing this token (Authorization: Bearer …); at least 20 characters", func(c *Config, v string) error {
			if v != "" && len(v) < 20 {
				return errors.New("must be at least 20 characters")
			}
			c.MetricsToken = v
			return nil
		}},
		{"JOINTCAL_TOKEN_MAX_LIFETIME", "8760h", "the longest expiry a person may give a personal access token (Go duration, at least 1h; default 1 year); one asked without expiry lives 90 days, or this when shorter", durationSetting(func(c *Config) *time.Duration { return &c.TokenMaxLifetime }, time.Hour)},
	}
}

// followUpSettings say how long things wait for an answer: a claimed
// notice for its dispatcher, a proposal for the other organisations, an
// occurrence before the lead planners hear who has not replied.
func followUpSettings() []Setting {
	return []Setting{
		{"JOINTCAL_REMINDER_LEASE", "5m", "how long a notice claimed by a dispatcher that then died waits before another sends it", durationSetting(func(c *Config) *time.Duration { return &c.ReminderLease }, time.Second)},
		{"JOINTCAL_PROPOSAL_TTL", "336h", "how long a proposed activity waits for the other organisations' agreement before it expires (Go duration, at least 1h; default 14 days); a counter-proposal starts it again", durationSetting(func(c *Config) *time.Duration { return &c.ProposalTTL }, time.Hour)},
		{"JOINTCAL_REPLY_CHASE", "P3D", "how long before an occurrence the lead planners are told which required participants have not answered (ISO 8601 duration, e.g. P3D or PT36H); P0D turns the chase off", func(c *Config, v string) error {
			d, err := isoduration.Parse(strings.TrimSpace(v))
			if err != nil || d < 0 {
				return errors.New("want an ISO 8601 duration such as P3D or PT36H (P0D turns the chase off)")
			}
			c.ReplyChase = d
			return nil
		}},
	}
}

func cronSetting(job, def, meaning string) Setting {
	return Setting{"JOINTCAL_CRON_" + strings.ToUpper(job), def, "schedule of the " + meaning, func(c *Config, v string) error {
		if _, err := ScheduleParser().Parse(v); err != nil {
			return fmt.Errorf("want a five-field cron spec such as \"*/5 * * * *\": %v", err)
		}
		if c.Cron == nil {
			c.Cron = map[string]string{}
		}
		c.Cron[job] = v
		return nil
	}}
}

// ScheduleParser is the one reader of cron specs: the configuration
// checks JOINTCAL_CRON_* with it at start and the scheduler runs its jobs
// with it, so a spec accepted here is never refused later. It takes the
// standard five fields and the @daily, @every … descriptors.
func ScheduleParser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// parseReminderDefaults reads "kind=P1D,PT1H;kind2=…".
func parseReminderDefaults(v string) (map[string][]time.Duration, error) {
	out := map[string][]time.Duration{}
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, list, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(kind) == "" {
			return nil, fmt.Errorf("want kind=DURATION,DURATION;… (at %q)", part)
		}
		for _, d := range strings.Split(list, ",") {
			dur, err := isoduration.Parse(strings.TrimSpace(d))
			if err != nil || dur <= 0 {
				return nil, fmt.Errorf("%s: %q is not a positive ISO 8601 duration", kind, d)
			}
			out[strings.TrimSpace(kind)] = append(out[strings.TrimSpace(kind)], dur)
		}
	}
	return out, nil
}

// Load builds a Config from getenv (os.Getenv in production, a map in
// tests). Unset variables take their defaults; the first bad value is
// reported with its variable name.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	for _, s := range Settings() {
		v := getenv(s.Env)
		if v == "" {
			v = s.Default
		}
		if err := s.apply(&c, v); err != nil {
			return Config{}, fmt.Errorf("config: %s=%q: %w", s.Env, shown(s.Env, v), err)
		}
	}
	if err := c.SignIn.check(); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := c.OIDC.check(); err != nil {
		return Config{}, err
	}
	if err := c.InboundIMAP.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// secretSettings are never repeated in messages: errors reach terminals,
// CI logs and JSON logs.
var secretSettings = map[string]bool{"JOINTCAL_BOOTSTRAP_ADMIN_TOKEN": true, "JOINTCAL_METRICS_TOKEN": true, "JOINTCAL_SMTP_PASSWORD": true, "JOINTCAL_OIDC_CLIENT_SECRET": true, "JOINTCAL_INBOUND_IMAP_PASSWORD": true}

// shown is the value of a setting as an error message may quote it: a
// secret as "(hidden)", a database URL without its password.
func shown(env, v string) string {
	if secretSettings[env] {
		return "(hidden)"
	}
	if env == "JOINTCAL_DATABASE_URL" {
		if u, err := url.Parse(v); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
				return u.String()
			}
		}
	}
	return v
}

// UnknownVariables lists the JOINTCAL_* names in environ (os.Environ's
// KEY=VALUE form) that no setting reads, so that a typo such as
// JOINTCAL_LOG_LEVLE is reported instead of silently ignored. Variables
// under JOINTCAL_TEST_ belong to the test suite and are not reported.
func UnknownVariables(environ []string) []string {
	known := map[string]bool{}
	for _, s := range Settings() {
		known[s.Env] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "JOINTCAL_") && !strings.HasPrefix(name, "JOINTCAL_TEST_") && !known[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// PublicURL is the base of every link the service hands out.
func (c Config) PublicURL() string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	return "http://" + c.Listen
}

// ReplyTo is the ORGANIZER of invitations: JOINTCAL_REPLY_ADDRESS, or
// replies@ the public host, or replies@ the domain of the sender. It is
// never the sender itself, which is a no-reply address that nobody reads.
func (c Config) ReplyTo() string {
	if c.ReplyAddress != "" {
		return c.ReplyAddress
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" && strings.Contains(u.Hostname(), ".") && net.ParseIP(u.Hostname()) == nil {
			return "jointcal <replies@" + u.Hostname() + ">"
		}
	}
	domain := "jointcal.localhost"
	if a, err := mail.ParseAddress(c.SMTPFrom); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	return "jointcal <replies@" + domain + ">"
}

// UIDHost is the domain part of every iCalendar UID: the public host
// name when one is configured, else a fixed name, so UIDs stay stable for
// the life of a deployment whatever port it listens on.
func (c Config) UIDHost() string {
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return "jointcal.localhost"
}

// oneOf stores the allowed value v names, ignoring case and surrounding
// spaces: JOINTCAL_LOG_LEVEL=DEBUG means what it says.
func oneOf(dst *string, v string, allowed ...string) error {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSpace(v), a) {
			*dst = a
			return nil
		}
	}
	return fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
}

func durationSetting(field func(*Config) *time.Duration, min time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New("want a Go duration such as 90s, 15m or 26280h")
		}
		if d < min {
			return fmt.Errorf("must be at least %s", min)
		}
		*field(c) = d
		return nil
	}
}

// memoryHeadroom is what the process needs besides the feed cache: the
// listings memo, a render in progress, connections and the runtime.
const memoryHeadroom = 64 << 20

// MemoryLimit is the soft memory limit to give the Go runtime: the
// setting, or the feed cache budget plus memoryHeadroom, so that a larger
// cache raises the limit with it instead of making the collector run
// without pause against a full cache.
func (c Config) MemoryLimit() int64 {
	if c.MemoryLimitBytes > 0 {
		return c.MemoryLimitBytes
	}
	return c.FeedCacheBytes + memoryHeadroom
}
