-- Exercise templates: the phases and planning events of an exercise
-- relative to its start (concept development -P12M, initial planning
-- conference -P9M, ..., after-action review P1M), kept per series or
-- kind and managed by administrators. Entries are one JSON document: a
-- template is read and replaced whole, and its references (organisation,
-- body and person codes) are resolved again at each instantiation.
CREATE TABLE exercise_templates (
    id                   {{ID}},
    name                 VARCHAR(200)  NOT NULL,
    series               VARCHAR(200)  NOT NULL DEFAULT '',
    kind                 VARCHAR(32)   NOT NULL DEFAULT 'exercise',
    description          TEXT          NOT NULL DEFAULT '',
    lead_organization_id {{BIGINT}}    REFERENCES organizations(id) ON DELETE RESTRICT,
    entries              TEXT          NOT NULL DEFAULT '[]',
    version              INTEGER       NOT NULL DEFAULT 1,
    created_at           {{TIME}}      NOT NULL,
    updated_at           {{TIME}}      NOT NULL
);
CREATE UNIQUE INDEX exercise_templates_name ON exercise_templates(name);
