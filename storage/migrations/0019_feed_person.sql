-- Feeds made by a signed-in person are theirs to list, rotate and revoke.
ALTER TABLE feeds ADD COLUMN created_by_person_id {{BIGINT}} REFERENCES people(id) ON DELETE SET NULL;
CREATE INDEX feeds_created_by_person ON feeds(created_by_person_id);
