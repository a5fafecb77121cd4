-- State: bytes a function keeps between calls, keyed by (namespace, key); a function reaches its own namespace's only.
-- Values are kept out of line and uncompressed (EXTERNAL), so a range read or a size fetches only what it needs.
CREATE TABLE state_values (
    namespace  text  NOT NULL,
    key        text  NOT NULL,
    value      bytea NOT NULL,
    PRIMARY KEY (namespace, key)
);
ALTER TABLE state_values ALTER COLUMN value SET STORAGE EXTERNAL;
