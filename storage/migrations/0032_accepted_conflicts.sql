-- Accepted clashes: planners who looked at a clash on the deconfliction
-- agenda and decided it may stand (two staffs sharing a committee on
-- purpose, a briefing inside a blackout that was agreed) record it with a
-- note, so that the agenda shows it as settled. A clash is the pair of
-- sides (activity_id the lower activity id; other_id the other activity,
-- minus a blackout's or external calendar's id, or 0 for an activity the
-- planner may not see), its rule and the start of the overlap.
CREATE TABLE accepted_conflicts (
    id           {{ID}},
    activity_id  {{BIGINT}} NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    other_id     {{BIGINT}} NOT NULL,
    rule         VARCHAR(64) NOT NULL,
    occurrence_s {{BIGINT}} NOT NULL,
    note         TEXT NOT NULL,
    person_id    {{BIGINT}} REFERENCES people(id) ON DELETE SET NULL,
    accepted_by  VARCHAR(255) NOT NULL,
    accepted_at  {{TIME}} NOT NULL,
    UNIQUE (activity_id, other_id, rule, occurrence_s)
);
