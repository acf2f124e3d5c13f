-- Subscriptions to external calendars (holidays, a partner's published
-- plan) whose events block a resource, and the busy blocks of their last
-- good sync. A failed sync keeps the blocks and records the error.
CREATE TABLE external_calendars (
    id                  {{ID}},
    name                VARCHAR(200)  NOT NULL,
    url                 VARCHAR(2000) NOT NULL,
    blocks_type         VARCHAR(16)   NOT NULL,
    blocks_id           {{BIGINT}}    NOT NULL,
    severity            VARCHAR(8)    NOT NULL,
    refresh_seconds     {{BIGINT}}    NOT NULL,
    etag                VARCHAR(500)  NOT NULL DEFAULT '',
    last_modified       VARCHAR(100)  NOT NULL DEFAULT '',
    last_sync           {{TIME}},
    last_success        {{TIME}},
    last_error          TEXT          NOT NULL DEFAULT '',
    event_count         {{BIGINT}}    NOT NULL DEFAULT 0,
    next_sync_s         {{BIGINT}}    NOT NULL DEFAULT 0,
    created_by_token_id {{BIGINT}},
    created_at          {{TIME}}      NOT NULL,
    updated_at          {{TIME}}      NOT NULL
);
CREATE INDEX external_calendars_due ON external_calendars(next_sync_s);
CREATE INDEX external_calendars_blocks ON external_calendars(blocks_type, blocks_id);

CREATE TABLE external_busy (
    id            {{ID}},
    calendar_id   {{BIGINT}}  NOT NULL REFERENCES external_calendars(id) ON DELETE CASCADE,
    start_s       {{BIGINT}}  NOT NULL,
    end_s         {{BIGINT}}  NOT NULL,
    resource_type VARCHAR(16) NOT NULL,
    resource_id   {{BIGINT}}  NOT NULL
);
CREATE INDEX external_busy_calendar ON external_busy(calendar_id, start_s);
