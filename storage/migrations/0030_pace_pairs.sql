-- PACE pairs: two exercises of two organisations run in parallel and
-- coordinated for a year, with that year's lead organisation. The
-- planning-overlap rule does not report the two (nor their phases)
-- against each other. first_activity_id < second_activity_id, so a pair
-- is stored once whichever way it was named.
CREATE TABLE pace_pairs (
    id                   {{ID}},
    year                 INTEGER       NOT NULL,
    first_activity_id    {{BIGINT}}    NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    second_activity_id   {{BIGINT}}    NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    lead_organization_id {{BIGINT}}    NOT NULL REFERENCES organizations(id) ON DELETE RESTRICT,
    notes                TEXT          NOT NULL DEFAULT '',
    version              INTEGER       NOT NULL DEFAULT 1,
    created_at           {{TIME}}      NOT NULL,
    updated_at           {{TIME}}      NOT NULL,
    CHECK (first_activity_id < second_activity_id)
);
CREATE UNIQUE INDEX pace_pairs_members ON pace_pairs(first_activity_id, second_activity_id);
CREATE INDEX pace_pairs_second ON pace_pairs(second_activity_id);
-- The coordination meetings of a pair are activities linked to it.
CREATE TABLE pace_pair_meetings (
    pair_id              {{BIGINT}}    NOT NULL REFERENCES pace_pairs(id) ON DELETE CASCADE,
    activity_id          {{BIGINT}}    NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    PRIMARY KEY (pair_id, activity_id)
);
CREATE INDEX pace_pair_meetings_activity ON pace_pair_meetings(activity_id);
