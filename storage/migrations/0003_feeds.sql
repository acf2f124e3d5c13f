-- iCalendar subscriptions. The secret URL token is stored only as its
-- SHA-256; fetch statistics tell planners whether subscribers are current.
CREATE TABLE feeds (
    id                  {{ID}},
    name                VARCHAR(200) NOT NULL,
    owner_type          VARCHAR(16)  NOT NULL,
    owner_id            {{BIGINT}}   NOT NULL,
    filter              TEXT         NOT NULL DEFAULT '{}',
    token_hash          VARCHAR(64)  NOT NULL UNIQUE,
    created_by_token_id {{BIGINT}},
    created_at          {{TIME}}     NOT NULL,
    updated_at          {{TIME}}     NOT NULL,
    revoked_at          {{TIME}},
    last_fetched_at     {{TIME}},
    fetch_count         {{BIGINT}}   NOT NULL DEFAULT 0,
    last_user_agent     VARCHAR(300) NOT NULL DEFAULT ''
);
CREATE INDEX feeds_owner ON feeds(owner_type, owner_id);
CREATE INDEX activities_deleted ON activities(deleted_at);
