// Package auth holds what signing in needs beyond the store: the session
// and CSRF cookies, the CSRF token derived from a session, and a
// per-client rate limiter for sign-in attempts, and the OpenID Connect
// client (discovery, PKCE, ID-token and nonce verification). It knows nothing of HTTP
// frameworks or databases; api (and the web pages to come) use it, and
// the store keeps sessions and sign-in links.
package auth
