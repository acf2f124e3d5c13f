-- People sign in. A person's role and organisation come from grants; a
-- person with none is a viewer of their own organisation. Sign-in links
-- and sessions keep only the SHA-256 of their secrets, like tokens.
CREATE TABLE person_grants (
    id              {{ID}},
    person_id       {{BIGINT}}  NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role            VARCHAR(16) NOT NULL,
    organization_id {{BIGINT}}  REFERENCES organizations(id) ON DELETE CASCADE,
    created_at      {{TIME}}    NOT NULL
);
CREATE UNIQUE INDEX person_grants_one ON person_grants(person_id, role, COALESCE(organization_id, 0));

CREATE TABLE signin_links (
    id         {{ID}},
    hash       VARCHAR(64) NOT NULL UNIQUE,
    person_id  {{BIGINT}}  NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at {{TIME}}    NOT NULL,
    expires_at {{TIME}}    NOT NULL,
    used_at    {{TIME}}
);
CREATE INDEX signin_links_person ON signin_links(person_id, created_at);

CREATE TABLE sessions (
    id           {{ID}},
    hash         VARCHAR(64)  NOT NULL UNIQUE,
    person_id    {{BIGINT}}   NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    method       VARCHAR(16)  NOT NULL,
    user_agent   VARCHAR(300) NOT NULL DEFAULT '',
    created_at   {{TIME}}     NOT NULL,
    last_seen_at {{TIME}}     NOT NULL,
    expires_at   {{TIME}}     NOT NULL,
    revoked_at   {{TIME}}
);
CREATE INDEX sessions_person ON sessions(person_id);

ALTER TABLE people ADD COLUMN language VARCHAR(8) NOT NULL DEFAULT 'en';
ALTER TABLE audit_log ADD COLUMN person_id {{BIGINT}};
