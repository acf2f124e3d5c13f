-- Large imports run as jobs: the request is answered 202 at once and the
-- client polls the job for progress and, at the end, the report. Kept in
-- the database so that any instance can answer the poll.
CREATE TABLE import_jobs (
    id                  {{ID}},
    organization_id     {{BIGINT}}   NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    created_by_token_id {{BIGINT}},
    state               VARCHAR(16)  NOT NULL,
    dry_run             BOOLEAN      NOT NULL DEFAULT FALSE,
    total               {{BIGINT}}   NOT NULL,
    done                {{BIGINT}}   NOT NULL DEFAULT 0,
    report              TEXT         NOT NULL DEFAULT '',
    error               TEXT         NOT NULL DEFAULT '',
    created_at          {{TIME}}     NOT NULL,
    updated_at          {{TIME}}     NOT NULL,
    finished_at         {{TIME}}
);
