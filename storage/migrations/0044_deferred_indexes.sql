-- Indexes that a large bulk write on SQLite dropped, to be created again
-- once the rows are in (one sort instead of a B-tree insert per row).
-- They are recorded in the same transaction that drops them, and Migrate
-- creates any still listed, so a generation killed half-way leaves a
-- database that the next start repairs. Only SQLite uses it (on
-- PostgreSQL nothing is deferred); both have it, so that both apply the
-- same migrations.
CREATE TABLE deferred_indexes (
    name VARCHAR(200) PRIMARY KEY,
    sql TEXT NOT NULL
);
