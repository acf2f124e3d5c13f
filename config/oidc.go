package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// OIDC holds the settings of sign-in with an OpenID Connect provider
// (Keycloak, Microsoft Entra ID, Google Workspace…). They live apart from
// the rest of Config so that sign-in can be read, validated and documented
// as one piece.
type OIDC struct {
	// Issuer is the provider's issuer URL; empty turns OIDC sign-in off.
	Issuer string
	// ClientID and ClientSecret are jointcal's registration at the
	// provider.
	ClientID, ClientSecret string
	// Scopes are asked for at sign-in; openid is always among them.
	Scopes []string
	// GroupsClaim names the ID-token claim that lists the person's groups;
	// empty means groups are not read.
	GroupsClaim string
	// GroupGrants maps a group to the grant it gives.
	GroupGrants []GroupGrant
	// CreatePeople creates a person on first sign-in when no person has
	// the provider's e-mail address.
	CreatePeople bool
	// TrustEmail accepts an ID token that does not say email_verified
	// (providers that only issue addresses they control, such as a
	// company directory); without it the token must say true.
	TrustEmail bool
}

// Enabled reports whether OIDC sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// GrantRole is a role a group can give, checked here so that a misspelt
// mapping stops the start instead of granting nothing.
type GrantRole string

// The roles a group may map to (the roles of models.Role).
const (
	GrantAdmin   GrantRole = "admin"
	GrantPlanner GrantRole = "planner"
	GrantViewer  GrantRole = "viewer"
)

// GroupGrant is one entry of JOINTCAL_OIDC_GROUP_GRANTS: members of Group
// get Role, bound to Organization (a code) for planners and optionally
// viewers. Organisation codes are checked against the database at sign-in,
// since the configuration is read before the database is opened.
type GroupGrant struct {
	Group        string
	Role         GrantRole
	Organization string
}

// oidcSettings lists the JOINTCAL_OIDC_* variables.
func oidcSettings() []Setting {
	return []Setting{
		{"JOINTCAL_OIDC_ISSUER", "", "OpenID Connect issuer URL (https, or http on a loopback address); empty turns OIDC sign-in off", func(c *Config, v string) error {
			if v == "" {
				c.OIDC.Issuer = ""
				return nil
			}
			if err := checkIssuer(v); err != nil {
				return err
			}
			c.OIDC.Issuer = v
			return nil
		}},
		{"JOINTCAL_OIDC_CLIENT_ID", "", "client id of jointcal at the provider; required with JOINTCAL_OIDC_ISSUER", func(c *Config, v string) error {
			c.OIDC.ClientID = strings.TrimSpace(v)
			return nil
		}},
		{"JOINTCAL_OIDC_CLIENT_SECRET", "", "client secret of jointcal at the provider (empty for a public client, which PKCE protects)", func(c *Config, v string) error {
			c.OIDC.ClientSecret = v
			return nil
		}},
		{"JOINTCAL_OIDC_SCOPES", "openid email profile", "space-separated scopes asked for at sign-in; must include openid (add groups where the provider needs a scope for the groups claim)", func(c *Config, v string) error {
			scopes := strings.Fields(v)
			for _, s := range scopes {
				if s == "openid" {
					c.OIDC.Scopes = scopes
					return nil
				}
			}
			return errors.New("must include openid")
		}},
		{"JOINTCAL_OIDC_GROUPS_CLAIM", "", "ID-token claim listing the person's groups (such as groups); empty ignores groups", func(c *Config, v string) error {
			c.OIDC.GroupsClaim = strings.TrimSpace(v)
			return nil
		}},
		{"JOINTCAL_OIDC_GROUP_GRANTS", "", "grants given by groups, such as eu-planners=planner:EU,nato-planners=planner:NATO,jc-admins=admin; synced at each sign-in", func(c *Config, v string) error {
			gs, err := parseGroupGrants(v)
			c.OIDC.GroupGrants = gs
			return err
		}},
		{"JOINTCAL_OIDC_TRUST_EMAIL", "off", "on: accept ID tokens that do not say email_verified (only for a provider whose users cannot choose their own address); off: email_verified must be true", func(c *Config, v string) error {
			var on string
			if err := oneOf(&on, v, "on", "off"); err != nil {
				return err
			}
			c.OIDC.TrustEmail = on == "on"
			return nil
		}},
		{"JOINTCAL_OIDC_CREATE_PEOPLE", "off", "on: create a person at first OIDC sign-in from the name and e-mail claims (organisation of the mapped grant); off: unknown addresses are refused", func(c *Config, v string) error {
			var on string
			if err := oneOf(&on, v, "on", "off"); err != nil {
				return err
			}
			c.OIDC.CreatePeople = on == "on"
			return nil
		}},
	}
}

// checkIssuer accepts https issuers, and http only on a loopback host
// (a provider on the same machine, or in tests): tokens and codes must
// not travel in clear across a network.
func checkIssuer(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("want an absolute https URL such as https://login.example.org/realms/jointcal")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return errors.New("must be https (http is accepted only on a loopback address)")
	}
	return errors.New("want an absolute https URL such as https://login.example.org/realms/jointcal")
}

// parseGroupGrants reads "group=role[:ORG],…". A planner needs an
// organisation and an administrator has none, as for grants made by hand.
func parseGroupGrants(v string) ([]GroupGrant, error) {
	var out []GroupGrant
	seen := map[GroupGrant]bool{}
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		group, grant, ok := strings.Cut(part, "=")
		group, grant = strings.TrimSpace(group), strings.TrimSpace(grant)
		if !ok || group == "" || grant == "" {
			return nil, fmt.Errorf("want group=role or group=role:ORG, such as eu-planners=planner:EU (at %q)", part)
		}
		role, org, _ := strings.Cut(grant, ":")
		g := GroupGrant{Group: group, Role: GrantRole(strings.TrimSpace(role)), Organization: strings.TrimSpace(org)}
		switch g.Role {
		case GrantAdmin:
			if g.Organization != "" {
				return nil, fmt.Errorf("group %s: an administrator is not bound to an organisation", group)
			}
		case GrantPlanner:
			if g.Organization == "" {
				return nil, fmt.Errorf("group %s: a planner is bound to an organisation (planner:CODE)", group)
			}
		case GrantViewer:
		default:
			return nil, fmt.Errorf("group %s: role %q is not admin, planner or viewer", group, role)
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out, nil
}

// check checks what no single OIDC setting can check alone.
func (o OIDC) check() error {
	switch {
	case o.Issuer == "" && (o.ClientID != "" || o.ClientSecret != "" || len(o.GroupGrants) > 0 || o.CreatePeople):
		return errors.New("config: JOINTCAL_OIDC_ISSUER is required when other JOINTCAL_OIDC_* settings are set")
	case o.Issuer != "" && o.ClientID == "":
		return errors.New("config: JOINTCAL_OIDC_CLIENT_ID is required when JOINTCAL_OIDC_ISSUER is set")
	case len(o.GroupGrants) > 0 && o.GroupsClaim == "":
		return errors.New("config: JOINTCAL_OIDC_GROUP_GRANTS needs JOINTCAL_OIDC_GROUPS_CLAIM (the claim that lists groups)")
	}
	return nil
}

// OIDCRedirectURL is the callback address to register at the provider.
func (c Config) OIDCRedirectURL() string { return c.PublicURL() + "/signin/oidc/callback" }
