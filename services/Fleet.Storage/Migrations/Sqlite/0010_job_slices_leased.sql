-- The slices in flight (state 1) by their lease: a claim's look for overdue slices, and the sweep's, read only the
-- job's overdue ones instead of walking every slice it has in flight.
CREATE INDEX job_slices_leased_idx ON job_slices (job_id, lease_until) WHERE state = 1;
