-- Imports find events again by their source UID, once per event.
CREATE INDEX activities_source_uid ON activities(source_uid);
