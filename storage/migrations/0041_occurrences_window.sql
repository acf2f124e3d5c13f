-- The occurrence list of a window (GET /api/v1/occurrences, the agenda)
-- scans occurrences by start and checks each one's activity: with the
-- activity, the original start and the end in the index, that scan
-- reads the index alone, in the list's order (start, activity, original
-- start), instead of a table row per occurrence. It starts with
-- start_s as occurrences_span did, so it replaces it for range reads.
CREATE INDEX occurrences_window ON occurrences(start_s, activity_id, recurrence_id, end_s);
DROP INDEX occurrences_span;
