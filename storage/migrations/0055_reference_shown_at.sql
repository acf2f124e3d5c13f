-- When a row's fields that calendar events show (a person's name and
-- e-mail, a body's, venue's or organisation's name and code) last
-- changed: an update through the reference data's own path sets it, a
-- new row leaves it empty (no event can show a row before an activity,
-- whose own version then moves, names it), and a person's own settings
-- (language, time zone, reminders) or a sign-in never touch it. The feeds'
-- reference fingerprint is taken from it instead of updated_at, so that
-- a person signing in for the first time, or changing a preference, no
-- longer changes every feed's version and every event's rendering.
-- Existing rows start from updated_at, which keeps every event's DTSTAMP.
ALTER TABLE people ADD COLUMN shown_at {{TIME}};
ALTER TABLE bodies ADD COLUMN shown_at {{TIME}};
ALTER TABLE venues ADD COLUMN shown_at {{TIME}};
ALTER TABLE organizations ADD COLUMN shown_at {{TIME}};
UPDATE people SET shown_at = updated_at;
UPDATE bodies SET shown_at = updated_at;
UPDATE venues SET shown_at = updated_at;
UPDATE organizations SET shown_at = updated_at;
