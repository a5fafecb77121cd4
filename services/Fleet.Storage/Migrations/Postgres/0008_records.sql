-- Records: small documents a facade keeps for itself (credentials, upload manifests, runs), keyed by (namespace, key),
-- each with an optional expiry; never reachable by functions. Namespaces and keys compare byte by byte (as call ids
-- do since 0002), so a prefix listing is one range of the primary key whatever the database's collation.
CREATE TABLE records (
    namespace   text COLLATE "C" NOT NULL,
    key         text COLLATE "C" NOT NULL,
    value       bytea            NOT NULL,
    expires_at  timestamptz      NULL,
    PRIMARY KEY (namespace, key)
);
CREATE INDEX records_expires_at_idx ON records (expires_at) WHERE expires_at IS NOT NULL;
