-- A subscription belongs to an organisation: the one that owns what it
-- blocks, or, for a venue, the organisation of the token that made it.
-- Only that organisation's planners (and administrators) see it, since
-- its URL is often a secret.
ALTER TABLE external_calendars ADD COLUMN organization_id {{BIGINT}} REFERENCES organizations(id) ON DELETE SET NULL;
UPDATE external_calendars SET organization_id = (SELECT p.organization_id FROM people p WHERE p.id = external_calendars.blocks_id) WHERE blocks_type = 'person';
UPDATE external_calendars SET organization_id = (SELECT b.organization_id FROM bodies b WHERE b.id = external_calendars.blocks_id) WHERE blocks_type = 'body';
UPDATE external_calendars SET organization_id = blocks_id WHERE blocks_type = 'organization';
UPDATE external_calendars SET organization_id = (SELECT t.organization_id FROM api_tokens t WHERE t.id = external_calendars.created_by_token_id) WHERE blocks_type = 'venue';
CREATE INDEX external_calendars_organization ON external_calendars(organization_id);
-- Errors recorded before this version could quote the fetched response.
UPDATE external_calendars SET last_error = 'the last sync failed' WHERE last_error <> '';
