-- Participants answer invitations. One row per person and activity
-- (occurrence_start_s 0), or per occurrence of a recurring activity (its
-- start in Unix seconds), whichever way the answer came: a link in the
-- e-mail, the API, the web application or an iTIP reply by e-mail.
-- Replies of people reached through a body or an organisation's contact
-- address live here too, which participants.rsvp (one per participant
-- row) cannot hold; participants.rsvp mirrors the whole-activity answer
-- of a person listed directly, so feeds and invitations carry it.
CREATE TABLE replies (
    id                 {{ID}},
    activity_id        {{BIGINT}}  NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    person_id          {{BIGINT}}  NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    occurrence_start_s {{BIGINT}}  NOT NULL DEFAULT 0,
    partstat           VARCHAR(16) NOT NULL,
    comment            TEXT        NOT NULL DEFAULT '',
    channel            VARCHAR(16) NOT NULL,
    replied_at         {{TIME}}    NOT NULL,
    UNIQUE (activity_id, person_id, occurrence_start_s)
);
CREATE INDEX replies_person ON replies(person_id, partstat);
