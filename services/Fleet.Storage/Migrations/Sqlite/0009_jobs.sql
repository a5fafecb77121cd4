-- Jobs of many slices (DCP's open jobs): a job row and one row per slice, keyed by (job, number), numbered 1, 2, 3… in
-- the order they arrive (total_slices is the last number; appends take it inside a BEGIN IMMEDIATE transaction). A
-- slice's state is 0 new, 1 scheduled (claimed, lease_until set), 2 returned (value set), 3 failed (error set).
-- Counters are counted from the slices through (job_id, state, number), which also serves claims and the reads of
-- results by range. Times are microseconds since the Unix epoch; TEXT compares byte by byte. No foreign key (this
-- store does not turn them on): the purge deletes a job's slices with it, in one transaction. Rowid tables: data and
-- values reach a few KiB.
CREATE TABLE jobs (
    id            TEXT    NOT NULL PRIMARY KEY,
    owner         TEXT    NOT NULL,
    function      TEXT    NOT NULL,
    document      TEXT    NOT NULL,
    max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    cancelled     INTEGER NOT NULL DEFAULT 0,
    total_slices  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_owner_created_at_idx ON jobs (owner, created_at DESC, id DESC);
CREATE INDEX jobs_expires_at_idx ON jobs (expires_at);

CREATE TABLE job_slices (
    job_id       TEXT    NOT NULL,
    number       INTEGER NOT NULL,
    state        INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER NULL,
    cpu_seconds  REAL    NOT NULL DEFAULT 0,
    datum        TEXT    NOT NULL,
    value        TEXT    NULL,
    error        TEXT    NULL,
    PRIMARY KEY (job_id, number)
);
CREATE INDEX job_slices_state_idx ON job_slices (job_id, state, number);
