-- The activity list's total, which every first page counts, keeps the
-- live activities a viewer may see: deleted_at IS NULL and (restricted =
-- false or shared with the viewer's organisation). Over an index of
-- deleted_at alone, SQLite read every activity's row for its restricted
-- flag (100,000 row lookups at 100,000 activities, most of the list's
-- time); with restricted in the index the count is a covering index scan,
-- and only restricted activities reach activity_visibility. id (the rowid)
-- is named before restricted so that the live activities stay in id
-- order: the page itself (ORDER BY id, from a cursor) is read from this
-- index without a sort.
DROP INDEX activities_deleted;
CREATE INDEX activities_deleted ON activities(deleted_at, id, restricted);
