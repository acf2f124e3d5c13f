-- The reminder outbox. Every notice (reminder, update, cancellation, or a
-- weekly digest, which has no activity) is a
-- row with a unique key, written in the same transaction as the change it
-- is about; dispatchers claim due rows, send, and mark them. A row stuck
-- in 'sending' past its lease (a crash) returns to 'pending'.
CREATE TABLE reminders (
    id                 {{ID}},
    key                VARCHAR(400) NOT NULL UNIQUE,
    kind               VARCHAR(16)  NOT NULL,
    activity_id        {{BIGINT}}   REFERENCES activities(id) ON DELETE CASCADE,
    occurrence_start_s {{BIGINT}}   NOT NULL,
    occurrence_end_s   {{BIGINT}}   NOT NULL,
    offset_seconds     {{BIGINT}}   NOT NULL DEFAULT 0,
    recipient_email    VARCHAR(254) NOT NULL,
    recipient_name     VARCHAR(200) NOT NULL DEFAULT '',
    recipient_timezone VARCHAR(64)  NOT NULL DEFAULT 'UTC',
    sequence           INTEGER      NOT NULL DEFAULT 0,
    due_s              {{BIGINT}}   NOT NULL,
    status             VARCHAR(16)  NOT NULL,
    attempts           INTEGER      NOT NULL DEFAULT 0,
    next_attempt_s     {{BIGINT}}   NOT NULL,
    claimed_s          {{BIGINT}},
    last_error         TEXT         NOT NULL DEFAULT '',
    message_id         VARCHAR(300) NOT NULL DEFAULT '',
    sent_at            {{TIME}},
    created_at         {{TIME}}     NOT NULL,
    updated_at         {{TIME}}     NOT NULL
);
CREATE INDEX reminders_due ON reminders(status, next_attempt_s);
CREATE INDEX reminders_activity ON reminders(activity_id, status);

-- A person's own reminder offsets, or an opt-out: {"opt_out": bool, "offsets": ["P1D"]}.
ALTER TABLE people ADD COLUMN reminder_preferences TEXT NOT NULL DEFAULT '{}';

-- What each scheduler instance last did with each job, for GET /api/v1/jobs.
CREATE TABLE job_runs (
    name             VARCHAR(64)  NOT NULL,
    instance         VARCHAR(200) NOT NULL,
    schedule         VARCHAR(100) NOT NULL,
    last_run         {{TIME}},
    last_success     {{TIME}},
    last_duration_ms {{BIGINT}}   NOT NULL DEFAULT 0,
    last_error       TEXT         NOT NULL DEFAULT '',
    next_run         {{TIME}},
    runs             {{BIGINT}}   NOT NULL DEFAULT 0,
    failures         {{BIGINT}}   NOT NULL DEFAULT 0,
    updated_at       {{TIME}}     NOT NULL,
    PRIMARY KEY (name, instance)
);
