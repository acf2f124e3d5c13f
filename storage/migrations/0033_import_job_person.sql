-- Import jobs started by a signed-in person (the web import page) are
-- theirs to follow, as those started with a token are the token's.
ALTER TABLE import_jobs ADD COLUMN created_by_person_id {{BIGINT}} REFERENCES people(id) ON DELETE SET NULL;
CREATE INDEX import_jobs_created_by_person ON import_jobs(created_by_person_id);
