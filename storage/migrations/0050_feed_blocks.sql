-- Each activity's feed rendering (calendar.BlockCodec's encoding of its
-- EventBlock), kept so that a feed whose blocks are not in memory (the
-- first fetch after a restart, or after the cache evicted them) reads
-- them in one query instead of reading every activity's rows and
-- rendering them. A block may be served only for the activity at exactly
-- this version and render tag (the reference-data fingerprint and what
-- rendered it): the feed's listing, which applied its owner's visibility,
-- says which version that is. One row per activity: writing a newer
-- version or tag replaces the old, so the table never holds more than one
-- block an activity, and a purged activity's block goes with it.
CREATE TABLE feed_blocks (
    activity_id {{BIGINT}} PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    tag         VARCHAR(80) NOT NULL,
    data        {{BLOB}} NOT NULL
);
