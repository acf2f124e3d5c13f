-- A person signed in through an identity provider is bound to that
-- account (issuer and subject): later sign-ins find them by it, and an
-- account of the provider that merely claims their address is refused.
ALTER TABLE people ADD COLUMN oidc_subject VARCHAR(600);
CREATE UNIQUE INDEX people_oidc_subject ON people(oidc_subject);
