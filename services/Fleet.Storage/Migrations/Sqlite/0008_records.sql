-- Records: small documents a facade keeps for itself (credentials, upload manifests, runs), keyed by (namespace, key),
-- each with an optional expiry (microseconds since the Unix epoch); never reachable by functions. TEXT compares byte by
-- byte (BINARY collation), so a prefix listing is one range of the primary key. A rowid table: values reach a few KiB.
CREATE TABLE records (
    namespace   TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    value       BLOB    NOT NULL,
    expires_at  INTEGER NULL,
    PRIMARY KEY (namespace, key)
);
CREATE INDEX records_expires_at_idx ON records (expires_at) WHERE expires_at IS NOT NULL;
