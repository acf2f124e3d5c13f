package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestOIDCSettings(t *testing.T) {
	t.Parallel()
	base := map[string]string{"JOINTCAL_OIDC_ISSUER": "https://login.example.org/realms/jc", "JOINTCAL_OIDC_CLIENT_ID": "jointcal"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	bad := []struct {
		name    string
		env     map[string]string
		setting string // the variable the message must name
	}{
		{"http issuer off loopback", with(map[string]string{"JOINTCAL_OIDC_ISSUER": "http://login.example.org"}), "JOINTCAL_OIDC_ISSUER"},
		{"issuer not a URL", with(map[string]string{"JOINTCAL_OIDC_ISSUER": "login.example.org"}), "JOINTCAL_OIDC_ISSUER"},
		{"issuer with a query", with(map[string]string{"JOINTCAL_OIDC_ISSUER": "https://login.example.org/?x=1"}), "JOINTCAL_OIDC_ISSUER"},
		{"no client id", map[string]string{"JOINTCAL_OIDC_ISSUER": "https://login.example.org"}, "JOINTCAL_OIDC_CLIENT_ID"},
		{"client id without issuer", map[string]string{"JOINTCAL_OIDC_CLIENT_ID": "jointcal"}, "JOINTCAL_OIDC_ISSUER"},
		{"scopes without openid", with(map[string]string{"JOINTCAL_OIDC_SCOPES": "email profile"}), "JOINTCAL_OIDC_SCOPES"},
		{"mapping without equals", with(map[string]string{"JOINTCAL_OIDC_GROUPS_CLAIM": "groups", "JOINTCAL_OIDC_GROUP_GRANTS": "eu-planners"}), "JOINTCAL_OIDC_GROUP_GRANTS"},
		{"unknown role", with(map[string]string{"JOINTCAL_OIDC_GROUPS_CLAIM": "groups", "JOINTCAL_OIDC_GROUP_GRANTS": "x=owner"}), "JOINTCAL_OIDC_GROUP_GRANTS"},
		{"planner without organisation", with(map[string]string{"JOINTCAL_OIDC_GROUPS_CLAIM": "groups", "JOINTCAL_OIDC_GROUP_GRANTS": "x=planner"}), "JOINTCAL_OIDC_GROUP_GRANTS"},
		{"admin with organisation", with(map[string]string{"JOINTCAL_OIDC_GROUPS_CLAIM": "groups", "JOINTCAL_OIDC_GROUP_GRANTS": "x=admin:EU"}), "JOINTCAL_OIDC_GROUP_GRANTS"},
		{"mapping without groups claim", with(map[string]string{"JOINTCAL_OIDC_GROUP_GRANTS": "x=viewer"}), "JOINTCAL_OIDC_GROUPS_CLAIM"},
		{"create people not on/off", with(map[string]string{"JOINTCAL_OIDC_CREATE_PEOPLE": "yes"}), "JOINTCAL_OIDC_CREATE_PEOPLE"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.setting) {
				t.Fatalf("error = %v, want one naming %s", err, tc.setting)
			}
		})
	}

	good := []struct {
		name string
		env  map[string]string
		want OIDC
	}{
		{"off by default", nil, OIDC{Scopes: []string{"openid", "email", "profile"}}},
		{"loopback http", map[string]string{"JOINTCAL_OIDC_ISSUER": "http://127.0.0.1:5556/dex", "JOINTCAL_OIDC_CLIENT_ID": "jc"},
			OIDC{Issuer: "http://127.0.0.1:5556/dex", ClientID: "jc", Scopes: []string{"openid", "email", "profile"}}},
		{"full", with(map[string]string{
			"JOINTCAL_OIDC_CLIENT_SECRET": "s3cret", "JOINTCAL_OIDC_SCOPES": "openid email groups", "JOINTCAL_OIDC_GROUPS_CLAIM": "groups",
			"JOINTCAL_OIDC_GROUP_GRANTS": " eu-planners=planner:EU, nato-planners=planner:NATO,jc-admins=admin,staff=viewer:EU,jc-admins=admin,", "JOINTCAL_OIDC_CREATE_PEOPLE": "on"}),
			OIDC{Issuer: "https://login.example.org/realms/jc", ClientID: "jointcal", ClientSecret: "s3cret", Scopes: []string{"openid", "email", "groups"}, GroupsClaim: "groups", CreatePeople: true,
				GroupGrants: []GroupGrant{{"eu-planners", GrantPlanner, "EU"}, {"nato-planners", GrantPlanner, "NATO"}, {"jc-admins", GrantAdmin, ""}, {"staff", GrantViewer, "EU"}}}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.OIDC, tc.want) {
				t.Fatalf("OIDC = %+v\nwant   %+v", c.OIDC, tc.want)
			}
			if tc.want.Enabled() != (tc.want.Issuer != "") {
				t.Fatal("Enabled")
			}
		})
	}
	c, err := Load(env(map[string]string{"JOINTCAL_BASE_URL": "https://cal.example.org/"}))
	if err != nil || c.OIDCRedirectURL() != "https://cal.example.org/signin/oidc/callback" {
		t.Fatalf("redirect URL %q, %v", c.OIDCRedirectURL(), err)
	}
}
