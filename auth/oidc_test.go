package auth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// TestOIDCVerifyHandSignedTokens checks ID-token verification on tokens
// signed here: a wrong nonce, audience, issuer, expiry or key is refused,
// and so is an e-mail address the provider says it has not verified.
func TestOIDCVerifyHandSignedTokens(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const issuer, client = "https://login.example.org", "jointcal"
	now := time.Date(2031, 5, 4, 10, 0, 0, 0, time.UTC)
	sign := func(k *rsa.PrivateKey, claims map[string]any) string {
		t.Helper()
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		obj, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	claims := func(change map[string]any) map[string]any {
		c := map[string]any{"iss": issuer, "aud": client, "sub": "u-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": "the-nonce",
			"email": "Ana@eeas.example", "email_verified": true, "name": "Ana Planner", "zoneinfo": "Europe/Brussels", "groups": []string{"eu-planners", "staff"}}
		for k, v := range change {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	o := NewOIDC(OIDCConfig{Issuer: issuer, ClientID: client, GroupsClaim: "groups"})
	v := oidc.NewVerifier(issuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{&key.PublicKey}}, &oidc.Config{ClientID: client, Now: func() time.Time { return now }})
	cases := []struct {
		name   string
		key    *rsa.PrivateKey
		claims map[string]any
		nonce  string
		want   *OIDCIdentity // nil: refused
	}{
		{"valid", key, claims(nil), "the-nonce", &OIDCIdentity{Subject: "u-1", Email: "Ana@eeas.example", Name: "Ana Planner", ZoneInfo: "Europe/Brussels", Groups: []string{"eu-planners", "staff"}}},
		{"wrong nonce", key, claims(nil), "another-nonce", nil},
		{"no nonce in the token", key, claims(map[string]any{"nonce": nil}), "the-nonce", nil},
		{"no nonce expected", key, claims(map[string]any{"nonce": ""}), "", nil},
		{"other audience", key, claims(map[string]any{"aud": "someone-else"}), "the-nonce", nil},
		{"other issuer", key, claims(map[string]any{"iss": "https://evil.example"}), "the-nonce", nil},
		{"expired", key, claims(map[string]any{"exp": now.Add(-time.Minute).Unix()}), "the-nonce", nil},
		{"signed by another key", other, claims(nil), "the-nonce", nil},
		{"e-mail not verified", key, claims(map[string]any{"email_verified": false}), "the-nonce", nil},
		{"e-mail not verified, as a string", key, claims(map[string]any{"email_verified": "false"}), "the-nonce", nil},
		{"no e-mail", key, claims(map[string]any{"email": nil}), "the-nonce", nil},
		{"groups not a list", key, claims(map[string]any{"groups": map[string]any{"a": 1}}), "the-nonce", nil},
		{"verified as a string, one group, name from parts", key, claims(map[string]any{"email_verified": "true", "groups": "staff", "name": nil, "given_name": "Ana", "family_name": "Planner"}), "the-nonce",
			&OIDCIdentity{Subject: "u-1", Email: "Ana@eeas.example", Name: "Ana Planner", ZoneInfo: "Europe/Brussels", Groups: []string{"staff"}}},
		{"no email_verified: refused unless the provider's addresses are trusted", key, claims(map[string]any{"email_verified": nil}), "the-nonce", nil},
		{"empty groups", key, claims(map[string]any{"groups": []string{}}), "the-nonce",
			&OIDCIdentity{Subject: "u-1", Email: "Ana@eeas.example", Name: "Ana Planner", ZoneInfo: "Europe/Brussels", Groups: []string{}}},
	}
	trusting := NewOIDC(OIDCConfig{Issuer: issuer, ClientID: client, GroupsClaim: "groups", TrustEmail: true})
	cases = append(cases, struct {
		name   string
		key    *rsa.PrivateKey
		claims map[string]any
		nonce  string
		want   *OIDCIdentity
	}{"trusted: no email_verified, no groups, username", key, claims(map[string]any{"email_verified": nil, "groups": nil, "name": nil, "preferred_username": "ana"}), "the-nonce",
		&OIDCIdentity{Subject: "u-1", Email: "Ana@eeas.example", Name: "ana", ZoneInfo: "Europe/Brussels"}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := o
			if strings.HasPrefix(tc.name, "trusted:") {
				o = trusting
			}
			got, err := o.verify(context.Background(), v, sign(tc.key, tc.claims), tc.nonce)
			if tc.want == nil {
				var f *OIDCFailure
				if !errors.As(err, &f) || f.Reason == "" {
					t.Fatalf("accepted (%+v) or not an OIDCFailure: %v", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("identity %+v\nwant     %+v", got, tc.want)
			}
		})
	}
}

func TestOIDCAttemptsAreFresh(t *testing.T) {
	t.Parallel()
	a, err := NewOIDCAttempt()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewOIDCAttempt()
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || len(a.State) < 43 || a.State == a.Nonce || len(a.Verifier) < 43 {
		t.Fatalf("attempts %+v %+v", a, b)
	}
	if !SameState(a.State, a.State) || SameState(a.State, b.State) || SameState("", "") || SameState(a.State, a.State[1:]) {
		t.Fatal("SameState")
	}
}

// TestOIDCDiscoveryIsLazy: a provider that is down makes no error until
// a sign-in, and the failure is not kept.
func TestOIDCDiscoveryIsLazy(t *testing.T) {
	t.Parallel()
	o := NewOIDC(OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "jc"})
	if _, err := o.AuthCodeURL(context.Background(), OIDCAttempt{State: "s"}); err == nil {
		t.Fatal("discovery of a provider that is down succeeded")
	}
	if _, err := o.Exchange(context.Background(), "code", OIDCAttempt{}); !errors.Is(err, ErrOIDCUnavailable) {
		t.Fatalf("exchange without discovery: %v", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		t.Fatal("a failed discovery was kept")
	}
}
