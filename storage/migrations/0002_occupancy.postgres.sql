-- The database itself refuses a double booking, whatever the number of
-- jointcal processes writing: no two exclusive occupancy rows of the same
-- resource may overlap in time.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE occupancy ADD CONSTRAINT occupancy_no_double_booking
    EXCLUDE USING gist (resource_type WITH =, resource_id WITH =, int8range(start_s, end_s) WITH &&)
    WHERE (exclusive);
