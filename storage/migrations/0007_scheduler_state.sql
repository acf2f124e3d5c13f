-- How far reminder planning has got, shared by every instance, so that a
-- restart plans exactly the reminders that fell due while it was down.
CREATE TABLE scheduler_state (
    name    VARCHAR(64) PRIMARY KEY,
    value_s {{BIGINT}}  NOT NULL
);
