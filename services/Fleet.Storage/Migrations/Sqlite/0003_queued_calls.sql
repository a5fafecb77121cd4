-- An accepted async call may be recorded before it runs (the standalone does: its in-memory bus would lose it with
-- the process): a row with its request and no result yet. The outcome fills result and clears request.
ALTER TABLE calls ADD COLUMN request TEXT NULL;
CREATE INDEX calls_queued_idx ON calls (id) WHERE result IS NULL;
