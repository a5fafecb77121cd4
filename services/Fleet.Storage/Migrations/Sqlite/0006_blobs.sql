-- Packages become blobs: content-addressed bytes of any kind, with an optional expiry (none for a package, which is
-- kept while a function uses it). The rows stay where they are.
ALTER TABLE packages RENAME TO blobs;
ALTER TABLE blobs ADD COLUMN expires_at INTEGER NULL;
CREATE INDEX blobs_expires_at_idx ON blobs (expires_at) WHERE expires_at IS NOT NULL;
