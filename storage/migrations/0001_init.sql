-- The planning data model: reference data, activities and their
-- participants, tokens and the audit trail. {{ID}}, {{TIME}} and {{BIGINT}}
-- are expanded per dialect by models/migrate.go.

CREATE TABLE organizations (
    id            {{ID}},
    code          VARCHAR(32)  NOT NULL UNIQUE,
    name          VARCHAR(200) NOT NULL,
    contact_email VARCHAR(254) NOT NULL DEFAULT '',
    version       INTEGER      NOT NULL DEFAULT 1,
    created_at    {{TIME}}     NOT NULL,
    updated_at    {{TIME}}     NOT NULL
);

CREATE TABLE people (
    id              {{ID}},
    name            VARCHAR(200) NOT NULL,
    email           VARCHAR(254) NOT NULL UNIQUE,
    timezone        VARCHAR(64)  NOT NULL,
    title           VARCHAR(200) NOT NULL DEFAULT '',
    organization_id {{BIGINT}}   REFERENCES organizations(id) ON DELETE RESTRICT,
    version         INTEGER      NOT NULL DEFAULT 1,
    created_at      {{TIME}}     NOT NULL,
    updated_at      {{TIME}}     NOT NULL
);
CREATE INDEX people_organization ON people(organization_id);

CREATE TABLE bodies (
    id              {{ID}},
    code            VARCHAR(32)  NOT NULL UNIQUE,
    name            VARCHAR(200) NOT NULL,
    organization_id {{BIGINT}}   NOT NULL REFERENCES organizations(id) ON DELETE RESTRICT,
    version         INTEGER      NOT NULL DEFAULT 1,
    created_at      {{TIME}}     NOT NULL,
    updated_at      {{TIME}}     NOT NULL
);
CREATE INDEX bodies_organization ON bodies(organization_id);

CREATE TABLE body_members (
    body_id   {{BIGINT}} NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    person_id {{BIGINT}} NOT NULL REFERENCES people(id) ON DELETE RESTRICT,
    PRIMARY KEY (body_id, person_id)
);
CREATE INDEX body_members_person ON body_members(person_id);

CREATE TABLE venues (
    id             {{ID}},
    code           VARCHAR(32)  NOT NULL UNIQUE,
    name           VARCHAR(200) NOT NULL,
    virtual        BOOLEAN      NOT NULL DEFAULT FALSE,
    timezone       VARCHAR(64)  NOT NULL,
    address        VARCHAR(500) NOT NULL DEFAULT '',
    buffer_seconds INTEGER      NOT NULL DEFAULT 0,
    version        INTEGER      NOT NULL DEFAULT 1,
    created_at     {{TIME}}     NOT NULL,
    updated_at     {{TIME}}     NOT NULL
);

CREATE TABLE activities (
    id                   {{ID}},
    kind                 VARCHAR(32)   NOT NULL,
    title                VARCHAR(300)  NOT NULL,
    description          TEXT          NOT NULL DEFAULT '',
    start_at             {{TIME}}      NOT NULL,
    end_at               {{TIME}}      NOT NULL,
    timezone             VARCHAR(64)   NOT NULL DEFAULT '',
    all_day              BOOLEAN       NOT NULL DEFAULT FALSE,
    rrule                VARCHAR(500)  NOT NULL DEFAULT '',
    exdates              TEXT          NOT NULL DEFAULT '[]',
    rdates               TEXT          NOT NULL DEFAULT '[]',
    status               VARCHAR(16)   NOT NULL,
    format               VARCHAR(16)   NOT NULL,
    venue_id             {{BIGINT}}    REFERENCES venues(id) ON DELETE RESTRICT,
    lead_organization_id {{BIGINT}}    NOT NULL REFERENCES organizations(id) ON DELETE RESTRICT,
    restricted           BOOLEAN       NOT NULL DEFAULT FALSE,
    areas                TEXT          NOT NULL DEFAULT '[]',
    series               VARCHAR(200)  NOT NULL DEFAULT '',
    parent_id            {{BIGINT}}    REFERENCES activities(id) ON DELETE SET NULL,
    reminders            TEXT          NOT NULL DEFAULT '[]',
    conference_url       VARCHAR(1000) NOT NULL DEFAULT '',
    version              INTEGER       NOT NULL DEFAULT 1,
    sequence             INTEGER       NOT NULL DEFAULT 0,
    source_uid           VARCHAR(500),
    created_at           {{TIME}}      NOT NULL,
    updated_at           {{TIME}}      NOT NULL,
    deleted_at           {{TIME}}
);
CREATE INDEX activities_kind ON activities(kind);
CREATE INDEX activities_lead ON activities(lead_organization_id);
CREATE INDEX activities_venue ON activities(venue_id);
CREATE INDEX activities_series ON activities(series);
CREATE INDEX activities_parent ON activities(parent_id);
CREATE INDEX activities_updated ON activities(updated_at);

-- Who may see a restricted activity; an activity with no rows here (and
-- restricted = false) is visible to everyone.
CREATE TABLE activity_visibility (
    activity_id     {{BIGINT}} NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    organization_id {{BIGINT}} NOT NULL REFERENCES organizations(id) ON DELETE RESTRICT,
    PRIMARY KEY (activity_id, organization_id)
);
CREATE INDEX activity_visibility_org ON activity_visibility(organization_id);

CREATE TABLE activity_areas (
    activity_id {{BIGINT}}  NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    area        VARCHAR(64) NOT NULL,
    PRIMARY KEY (activity_id, area)
);
CREATE INDEX activity_areas_area ON activity_areas(area);

CREATE TABLE participants (
    id          {{ID}},
    activity_id {{BIGINT}}   NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    position    INTEGER      NOT NULL,
    type        VARCHAR(16)  NOT NULL,
    ref_id      {{BIGINT}}   NOT NULL,
    role        VARCHAR(16)  NOT NULL,
    required    BOOLEAN      NOT NULL DEFAULT TRUE,
    rsvp        VARCHAR(16)  NOT NULL DEFAULT 'needs_action',
    UNIQUE (activity_id, type, ref_id)
);
CREATE INDEX participants_ref ON participants(type, ref_id);

-- One row per occurrence of an activity inside the expansion horizon, in
-- Unix seconds (UTC) so range queries compare integers on both databases.
CREATE TABLE occurrences (
    activity_id   {{BIGINT}} NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    recurrence_id {{BIGINT}} NOT NULL,
    start_s       {{BIGINT}} NOT NULL,
    end_s         {{BIGINT}} NOT NULL,
    PRIMARY KEY (activity_id, recurrence_id)
);
CREATE INDEX occurrences_span ON occurrences(start_s, end_s);

CREATE TABLE api_tokens (
    id              {{ID}},
    name            VARCHAR(200) NOT NULL,
    role            VARCHAR(16)  NOT NULL,
    organization_id {{BIGINT}}   REFERENCES organizations(id) ON DELETE RESTRICT,
    hash            VARCHAR(64)  NOT NULL UNIQUE,
    created_at      {{TIME}}     NOT NULL,
    last_used_at    {{TIME}},
    revoked_at      {{TIME}}
);

CREATE TABLE audit_log (
    id          {{ID}},
    at          {{TIME}}     NOT NULL,
    actor       VARCHAR(200) NOT NULL,
    token_id    {{BIGINT}},
    action      VARCHAR(32)  NOT NULL,
    entity      VARCHAR(32)  NOT NULL,
    entity_id   {{BIGINT}}   NOT NULL,
    reason      TEXT         NOT NULL DEFAULT '',
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);
