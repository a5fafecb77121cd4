-- Packages become blobs: content-addressed bytes of any kind, with an optional expiry (none for a package, which is
-- kept while a function uses it). The rows stay where they are; the put time is stamped by the store's clock, not the
-- server's.
ALTER TABLE packages RENAME TO blobs;
ALTER INDEX packages_pkey RENAME TO blobs_pkey;
ALTER TABLE blobs ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE blobs ADD COLUMN expires_at timestamptz NULL;
CREATE INDEX blobs_expires_at_idx ON blobs (expires_at) WHERE expires_at IS NOT NULL;
