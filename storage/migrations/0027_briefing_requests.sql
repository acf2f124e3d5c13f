-- Cross-briefing requests: a briefer of one organisation asks to brief a
-- body of another on a topic within a wished window. The host's planners
-- look for slots where both are free and schedule it (a cross_briefing
-- activity, activity_id), or decline; the requester may withdraw. Both
-- organisations see the request; nobody else does.
CREATE TABLE briefing_requests (
    id                      {{ID}},
    briefer_id              {{BIGINT}}   NOT NULL REFERENCES people(id),
    briefer_organization_id {{BIGINT}}   NOT NULL REFERENCES organizations(id),
    body_id                 {{BIGINT}}   NOT NULL REFERENCES bodies(id),
    host_organization_id    {{BIGINT}}   NOT NULL REFERENCES organizations(id),
    topic                   VARCHAR(300) NOT NULL,
    area                    VARCHAR(64)  NOT NULL DEFAULT '',
    window_start            {{TIME}}     NOT NULL,
    window_end              {{TIME}}     NOT NULL,
    duration_s              INTEGER      NOT NULL,
    state                   VARCHAR(16)  NOT NULL,
    reason                  TEXT         NOT NULL DEFAULT '',
    activity_id             {{BIGINT}}   REFERENCES activities(id),
    version                 INTEGER      NOT NULL DEFAULT 1,
    created_at              {{TIME}}     NOT NULL,
    updated_at              {{TIME}}     NOT NULL
);
CREATE INDEX briefing_requests_host ON briefing_requests(host_organization_id, state);
CREATE INDEX briefing_requests_briefer ON briefing_requests(briefer_organization_id, state);
CREATE INDEX briefing_requests_body ON briefing_requests(body_id);
