-- The activity list's total, which every first page counts, keeps the
-- live activities a viewer may see: deleted_at IS NULL and (restricted =
-- false or shared with the viewer's organisation). activities_live (0047)
-- served an administrator's count as an index-only scan, but a planner's
-- also needs restricted, so PostgreSQL read the whole table (a sequential
-- scan of 100,000 rows). With restricted included the planner's count is
-- an index-only scan too, and the index still gives the live activities
-- in id order for the page.
CREATE INDEX activities_live_visible ON activities (id) INCLUDE (restricted) WHERE deleted_at IS NULL;
DROP INDEX activities_live;
