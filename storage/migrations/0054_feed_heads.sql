-- The head of a feed's last layout of its default window (calendar
-- properties and VTIMEZONEs, as calendar.Assembly.Head writes them), its
-- DTSTAMP and its size, under the feed version (the listing's
-- fingerprint) and render tag it was laid out for. A new process whose
-- listing of the feed gives the same version and tag knows the answer's
-- Last-Modified, Content-Length and first bytes before reading any event,
-- and streams the events as they are read (api/feed_stream.go); any other
-- version or tag is ignored. One row per feed, replaced by each layout,
-- deleted with the feed.
CREATE TABLE feed_heads (
    feed_id  {{BIGINT}} PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
    version  VARCHAR(64) NOT NULL,
    tag      VARCHAR(80) NOT NULL,
    stamp_s  {{BIGINT}} NOT NULL,
    size     {{BIGINT}} NOT NULL,
    head     {{BLOB}} NOT NULL
);
