-- The occupancy index: one row per (occurrence, resource) so a conflict
-- check is an indexed range query. exclusive rows are the ones that must
-- never overlap on the same resource (required people and bodies, physical
-- venues, not overridden); PostgreSQL enforces that in 0002_*.postgres.sql,
-- SQLite through its single serialised writer.
CREATE TABLE occupancy (
    id            {{ID}},
    activity_id   {{BIGINT}}  NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    kind          VARCHAR(32) NOT NULL,
    start_s       {{BIGINT}}  NOT NULL,
    end_s         {{BIGINT}}  NOT NULL,
    resource_type VARCHAR(16) NOT NULL,
    resource_id   {{BIGINT}}  NOT NULL,
    required      BOOLEAN     NOT NULL,
    virtual       BOOLEAN     NOT NULL DEFAULT FALSE,
    exclusive     BOOLEAN     NOT NULL
);
CREATE INDEX occupancy_resource ON occupancy(resource_type, resource_id, start_s, end_s);

-- The longest occurrence ever stored bounds how far back a range query on
-- start_s must look: [from - longest, to) instead of everything before to.
CREATE TABLE occupancy_extent (
    id           INTEGER  PRIMARY KEY,
    max_length_s {{BIGINT}} NOT NULL
);
INSERT INTO occupancy_extent (id, max_length_s) VALUES (1, 0);
CREATE INDEX occupancy_activity ON occupancy(activity_id);

-- A moved or cancelled single instance of a recurring activity.
CREATE TABLE occurrence_overrides (
    activity_id   {{BIGINT}} NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    recurrence_id {{BIGINT}} NOT NULL,
    cancelled     BOOLEAN    NOT NULL DEFAULT FALSE,
    start_s       {{BIGINT}} NOT NULL,
    end_s         {{BIGINT}} NOT NULL,
    updated_at    {{TIME}}   NOT NULL,
    PRIMARY KEY (activity_id, recurrence_id)
);

CREATE TABLE blackouts (
    id         {{ID}},
    title      VARCHAR(300) NOT NULL,
    start_at   {{TIME}}     NOT NULL,
    end_at     {{TIME}}     NOT NULL,
    severity   VARCHAR(8)   NOT NULL,
    version    INTEGER      NOT NULL DEFAULT 1,
    created_at {{TIME}}     NOT NULL,
    updated_at {{TIME}}     NOT NULL
);
CREATE INDEX blackouts_span ON blackouts(start_at, end_at);

CREATE TABLE blackout_organizations (
    blackout_id     {{BIGINT}} NOT NULL REFERENCES blackouts(id) ON DELETE CASCADE,
    organization_id {{BIGINT}} NOT NULL REFERENCES organizations(id) ON DELETE RESTRICT,
    PRIMARY KEY (blackout_id, organization_id)
);
