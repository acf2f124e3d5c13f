-- Sign-in with OpenID Connect. An attempt in progress (between the
-- redirect to the provider and its return) is kept here, found by the
-- hash of its state and used once, so that any serve process sharing
-- the database can complete it. Grants given by the provider's groups
-- are marked with their source, so that they can be withdrawn when the
-- group disappears without touching grants made by hand.
CREATE TABLE oidc_logins (
    id         {{ID}},
    state_hash VARCHAR(64)  NOT NULL UNIQUE,
    nonce      VARCHAR(128) NOT NULL,
    verifier   VARCHAR(128) NOT NULL,
    created_at {{TIME}}     NOT NULL,
    expires_at {{TIME}}     NOT NULL
);
CREATE INDEX oidc_logins_expiry ON oidc_logins(expires_at);

ALTER TABLE person_grants ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT '';
