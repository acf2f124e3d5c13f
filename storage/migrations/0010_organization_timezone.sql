-- Organisations get a home time zone: an imported calendar's floating
-- times (no TZID, no Z) are read in it when neither the file
-- (X-WR-TIMEZONE) nor the import names one. jointcal plans for
-- Brussels-based institutions (the EU, NATO and the national delegations
-- to both), so existing organisations start in Europe/Brussels.
ALTER TABLE organizations ADD COLUMN timezone VARCHAR(64) NOT NULL DEFAULT 'Europe/Brussels';
