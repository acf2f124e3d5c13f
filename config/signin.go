package config

import (
	"errors"
	"net/mail"
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
