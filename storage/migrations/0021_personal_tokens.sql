-- Personal access tokens: a token may belong to a person, and then acts
-- with that person's grants at each request (no role of its own, so a
-- changed grant applies at once); deleting the person deletes their
-- tokens. Service tokens keep person_id NULL. A token's scope is read
-- (safe methods only) or read_write; tokens issued before keep what they
-- could do.
ALTER TABLE api_tokens ADD COLUMN person_id {{BIGINT}} REFERENCES people(id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN scope VARCHAR(16) NOT NULL DEFAULT 'read_write';
CREATE INDEX api_tokens_person ON api_tokens(person_id);
