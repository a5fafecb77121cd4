-- State: bytes a function keeps between calls, keyed by (namespace, key); a function reaches its own namespace's only.
-- A rowid table: values are large, and WITHOUT ROWID suits small rows only.
CREATE TABLE state_values (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      BLOB NOT NULL,
    PRIMARY KEY (namespace, key)
);
