package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"
)

// SignIn holds the settings of people signing in that are not OIDC's:
// session lifetimes and the first administrator.
type SignIn struct {
	// SessionIdle ends a session nobody used for that long.
	SessionIdle time.Duration
	// SessionMax ends every session that long after sign-in.
	SessionMax time.Duration
	// BootstrapAdminEmail is made an administrator when that person first
	// signs in, so that a new deployment has someone to grant roles.
	BootstrapAdminEmail string
}

// signInSettings lists the session and bootstrap variables.
func signInSettings() []Setting {
	return []Setting{
		{"JOINTCAL_TRUSTED_PROXIES", "", "comma-separated CIDR ranges of reverse proxies whose X-Forwarded-For names the client (for the sign-in limits); empty trusts no forwarded header", func(c *Config, v string) error {
			var err error
			c.TrustedProxies, err = prefixes(v)
			return err
		}},
		{"JOINTCAL_SESSION_IDLE", "8h", "a browser session ends after this long unused", durationSetting(func(c *Config) *time.Duration { return &c.SignIn.SessionIdle }, time.Minute)},
		{"JOINTCAL_SESSION_MAX", "720h", "a browser session ends this long after sign-in, used or not (default 30 days)", durationSetting(func(c *Config) *time.Duration { return &c.SignIn.SessionMax }, time.Hour)},
		{"JOINTCAL_BOOTSTRAP_ADMIN_EMAIL", "", "the person with this e-mail address becomes an administrator when they sign in while no person is one (once: the first administrator of a new deployment)", func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				a, err := mail.ParseAddress(v)
				if err != nil || a.Address != v {
					return errors.New("want a bare e-mail address such as ana@eeas.example")
				}
			}
			c.SignIn.BootstrapAdminEmail = v
			return nil
		}},
	}
}

// checkSignIn validates what depends on several settings.
func (s SignIn) check() error {
	if s.SessionIdle > s.SessionMax {
		return errors.New("JOINTCAL_SESSION_IDLE must not be longer than JOINTCAL_SESSION_MAX")
	}
	return nil
}

// prefixes reads a comma-separated list of CIDR ranges.
func prefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR range such as 10.1.0.0/16", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
