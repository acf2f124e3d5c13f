-- What an import last wrote (or found unchanged) for each activity it
-- keeps: a digest of the activity the file's event maps onto, and the
-- activity's version at that moment. A re-import whose event has the same
-- digest, of an activity still at that version, changes nothing, and is
-- recognised from this row alone instead of loading and comparing the
-- whole activity. Any other write (a planner's edit) moves the version on,
-- so the row no longer vouches for it.
CREATE TABLE import_hashes (
    activity_id {{BIGINT}} PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    hash        VARCHAR(64) NOT NULL,
    version     INTEGER NOT NULL
);
