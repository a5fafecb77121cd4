-- Jobs of many slices (DCP's open jobs): a job row and one row per slice, keyed by (job, number), numbered 1, 2, 3… in
-- the order they arrive (total_slices is the last number; appends take it under the job row's lock). A slice's state is
-- 0 new, 1 scheduled (claimed, lease_until set), 2 returned (value set), 3 failed (error set). Counters are counted from
-- the slices through (job_id, state, number), which also serves claims (new ones, overdue ones, lowest numbers first)
-- and the reads of results by range. Ids and owners compare byte by byte (as call ids and record keys do). Deleting a
-- job deletes its slices.
CREATE TABLE jobs (
    id            text COLLATE "C" PRIMARY KEY,
    owner         text COLLATE "C" NOT NULL,
    function      text             NOT NULL,
    document      text             NOT NULL,
    max_attempts  integer          NOT NULL CHECK (max_attempts >= 1),
    created_at    timestamptz      NOT NULL,
    expires_at    timestamptz      NOT NULL,
    cancelled     boolean          NOT NULL DEFAULT false,
    total_slices  integer          NOT NULL DEFAULT 0
);
CREATE INDEX jobs_owner_created_at_idx ON jobs (owner, created_at DESC, id DESC);
CREATE INDEX jobs_expires_at_idx ON jobs (expires_at);

CREATE TABLE job_slices (
    job_id       text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    number       integer          NOT NULL,
    state        smallint         NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
    attempts     integer          NOT NULL DEFAULT 0,
    lease_until  timestamptz      NULL,
    cpu_seconds  double precision NOT NULL DEFAULT 0,
    datum        text             NOT NULL,
    value        text             NULL,
    error        text             NULL,
    PRIMARY KEY (job_id, number)
);
CREATE INDEX job_slices_state_idx ON job_slices (job_id, state, number);
