-- Agreement before commitment: an activity led by one organisation that
-- involves another's bodies or people is proposed until each involved
-- organisation agrees. proposals holds where the agreement stands (one
-- row per activity, reopened when the lead involves someone new);
-- proposal_parties the answer of each organisation (the lead included,
-- so that a counter-proposal can send it back to the lead);
-- proposal_events every step, for the notices and the turnaround figures.
CREATE TABLE proposals (
    activity_id          {{BIGINT}}  PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    state                VARCHAR(16) NOT NULL,
    lead_organization_id {{BIGINT}}  NOT NULL REFERENCES organizations(id),
    round                INTEGER     NOT NULL DEFAULT 1,
    reason               TEXT        NOT NULL DEFAULT '',
    expires_at           {{TIME}}    NOT NULL,
    closed_at            {{TIME}},
    created_at           {{TIME}}    NOT NULL,
    updated_at           {{TIME}}    NOT NULL
);
CREATE INDEX proposals_due ON proposals(state, expires_at);

CREATE TABLE proposal_parties (
    activity_id     {{BIGINT}}   NOT NULL REFERENCES proposals(activity_id) ON DELETE CASCADE,
    organization_id {{BIGINT}}   NOT NULL REFERENCES organizations(id),
    state           VARCHAR(16)  NOT NULL,
    answered_by     VARCHAR(200) NOT NULL DEFAULT '',
    reason          TEXT         NOT NULL DEFAULT '',
    answered_at     {{TIME}},
    PRIMARY KEY (activity_id, organization_id)
);
CREATE INDEX proposal_parties_queue ON proposal_parties(organization_id, state);

CREATE TABLE proposal_events (
    id              {{ID}},
    activity_id     {{BIGINT}}   NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    step            VARCHAR(16)  NOT NULL,
    organization_id {{BIGINT}}   REFERENCES organizations(id),
    actor           VARCHAR(200) NOT NULL DEFAULT '',
    reason          TEXT         NOT NULL DEFAULT '',
    start_at        {{TIME}}     NOT NULL,
    end_at          {{TIME}}     NOT NULL,
    at              {{TIME}}     NOT NULL
);
CREATE INDEX proposal_events_activity ON proposal_events(activity_id);

-- A proposed activity holds its slot as a soft clash only: its occupancy
-- rows are marked, and never exclusive.
ALTER TABLE occupancy ADD COLUMN proposed BOOLEAN NOT NULL DEFAULT FALSE;

-- A notice about a step of a proposal (or of a briefing request) names
-- the event it tells about.
ALTER TABLE reminders ADD COLUMN event_id {{BIGINT}};
