package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCStateCookie carries the state of a sign-in attempt between the
// redirect to the provider and its return, binding the return to the
// browser that started it (no login CSRF). The nonce and PKCE verifier
// stay in the database under the state's hash.
const OIDCStateCookie = "jointcal_oidc_state"

// OIDCAttemptTTL is how long a sign-in attempt may take at the provider.
const OIDCAttemptTTL = 10 * time.Minute

// OIDCConfig is what the client needs from the settings.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is jointcal's callback, registered at the provider.
	RedirectURL string
	Scopes      []string
	// GroupsClaim names the claim that lists groups; empty reads none.
	GroupsClaim string
	// TrustEmail accepts a token without email_verified; otherwise it
	// must say true.
	TrustEmail bool
	// HTTPClient talks to the provider; nil uses one with a 15 s timeout.
	HTTPClient *http.Client
}

// OIDC signs people in with an OpenID Connect provider: authorisation
// code with PKCE (S256), state and nonce. Discovery happens on first use
// and is kept once it succeeded, so jointcal starts while the provider is
// down and a failed discovery is retried by the next sign-in.
type OIDC struct {
	cfg    OIDCConfig
	client *http.Client

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC returns a client; it makes no request.
func NewOIDC(cfg OIDCConfig) *OIDC {
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	return &OIDC{cfg: cfg, client: c}
}

// OIDCAttempt is what one sign-in attempt must remember between the two
// redirects. All three are fresh random values.
type OIDCAttempt struct {
	State, Nonce, Verifier string
}

// NewOIDCAttempt makes a fresh attempt.
func NewOIDCAttempt() (OIDCAttempt, error) {
	var a OIDCAttempt
	for _, dst := range []*string{&a.State, &a.Nonce} {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return OIDCAttempt{}, fmt.Errorf("random sign-in state: %w", err)
		}
		*dst = base64.RawURLEncoding.EncodeToString(b)
	}
	a.Verifier = oauth2.GenerateVerifier()
	return a, nil
}

// SameState compares the state a provider returned with the browser's
// cookie in constant time.
func SameState(returned, cookie string) bool {
	return returned != "" && len(returned) == len(cookie) && subtle.ConstantTimeCompare([]byte(returned), []byte(cookie)) == 1
}

func (o *OIDC) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.client)
}

// discover fetches the provider's metadata once; a failure is not kept.
func (o *OIDC) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	p, err := oidc.NewProvider(o.ctx(ctx), o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover the OpenID provider %s: %w", o.cfg.Issuer, err)
	}
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(), RedirectURL: o.cfg.RedirectURL, Scopes: o.cfg.Scopes}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	return o.oauth, o.verifier, nil
}

// AuthCodeURL is where the browser goes to sign in at the provider.
func (o *OIDC) AuthCodeURL(ctx context.Context, a OIDCAttempt) (string, error) {
	oc, _, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	return oc.AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)), nil
}

// OIDCIdentity is what a verified ID token says about the person.
type OIDCIdentity struct {
	Subject, Email, Name, ZoneInfo string
	// Groups is nil when the token has no groups claim.
	Groups []string
}

// OIDCFailure is a sign-in the provider's answer does not allow; Reason
// is fit to show to the person (it holds no code or token).
type OIDCFailure struct {
	Reason string
	Err    error
}

func (e *OIDCFailure) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *OIDCFailure) Unwrap() error { return e.Err }

// ErrOIDCUnavailable wraps a failure to reach the provider (discovery).
var ErrOIDCUnavailable = errors.New("the identity provider cannot be reached")

// Exchange trades the code for tokens (with the attempt's PKCE verifier),
// verifies the ID token (signature, issuer, audience, expiry) and its
// nonce, and reads the identity. A provider that sends email_verified
// must send true.
func (o *OIDC) Exchange(ctx context.Context, code string, a OIDCAttempt) (*OIDCIdentity, error) {
	oc, verifier, err := o.discover(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOIDCUnavailable, err)
	}
	tok, err := oc.Exchange(o.ctx(ctx), code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, &OIDCFailure{Reason: "the identity provider refused the sign-in code (it may have been used already or have expired)", Err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, &OIDCFailure{Reason: "the identity provider sent no ID token"}
	}
	return o.verify(ctx, verifier, raw, a.Nonce)
}

// verify checks an ID token and its nonce and reads its claims.
func (o *OIDC) verify(ctx context.Context, verifier *oidc.IDTokenVerifier, raw, nonce string) (*OIDCIdentity, error) {
	idt, err := verifier.Verify(o.ctx(ctx), raw)
	if err != nil {
		return nil, &OIDCFailure{Reason: "the identity provider's ID token is not valid", Err: err}
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, &OIDCFailure{Reason: "the ID token was not issued for this sign-in attempt (wrong nonce)"}
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return nil, &OIDCFailure{Reason: "the ID token's claims cannot be read", Err: err}
	}
	return readIdentity(idt.Subject, claims, o.cfg.GroupsClaim, o.cfg.TrustEmail)
}

// readIdentity takes the person out of the claims. email_verified may be
// a boolean or, from some providers, the string "true"; it must say true
// unless trustEmail, where it may also be absent (never false). Without
// that rule, anyone who can set an unverified address at the provider
// would sign in as the person who owns it here.
func readIdentity(subject string, claims map[string]json.RawMessage, groupsClaim string, trustEmail bool) (*OIDCIdentity, error) {
	id := &OIDCIdentity{Subject: subject}
	str := func(name string) string {
		var s string
		if raw, ok := claims[name]; ok {
			_ = json.Unmarshal(raw, &s) // a claim of another type counts as absent
		}
		return strings.TrimSpace(s)
	}
	id.Email = str("email")
	if id.Email == "" {
		return nil, &OIDCFailure{Reason: "the identity provider sent no e-mail address (release the email claim to jointcal)"}
	}
	raw, said := claims["email_verified"]
	var b bool
	var s string
	verified := said && ((json.Unmarshal(raw, &b) == nil && b) || (json.Unmarshal(raw, &s) == nil && strings.EqualFold(s, "true")))
	if !verified && (said || !trustEmail) {
		return nil, &OIDCFailure{Reason: "the identity provider has not verified this e-mail address (email_verified)"}
	}
	id.Name = str("name")
	if id.Name == "" {
		id.Name = strings.TrimSpace(str("given_name") + " " + str("family_name"))
	}
	if id.Name == "" {
		id.Name = str("preferred_username")
	}
	id.ZoneInfo = str("zoneinfo")
	if groupsClaim != "" {
		if raw, ok := claims[groupsClaim]; ok {
			var list []string
			var one string
			switch {
			case json.Unmarshal(raw, &list) == nil:
				id.Groups = list
			case json.Unmarshal(raw, &one) == nil:
				id.Groups = []string{one}
			default:
				return nil, &OIDCFailure{Reason: fmt.Sprintf("the %s claim is not a list of group names", groupsClaim)}
			}
			if id.Groups == nil {
				id.Groups = []string{}
			}
		}
	}
	return id, nil
}
