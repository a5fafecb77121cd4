-- Calls have a state (queued, running, completed) that changes only from the states a change expects. A record with
-- no result was queued; one with a result is completed. (SQLite keeps the default: it cannot drop one; the store
-- always writes the state.)
ALTER TABLE calls ADD COLUMN state TEXT NOT NULL DEFAULT 'queued';
UPDATE calls SET state = 'completed' WHERE result IS NOT NULL;
DROP INDEX calls_queued_idx;
CREATE INDEX calls_unfinished_idx ON calls (id) WHERE state <> 'completed';
