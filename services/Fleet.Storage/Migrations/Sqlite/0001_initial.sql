-- Functions, content-addressed packages and async call records (document-shaped).
-- Timestamps are INTEGER microseconds since the Unix epoch, UTC (PostgreSQL's timestamptz precision).

CREATE TABLE functions (
    name        TEXT    NOT NULL PRIMARY KEY,
    spec        TEXT    NOT NULL,
    generation  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE packages (
    hash        TEXT    NOT NULL PRIMARY KEY,
    bytes       BLOB    NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE calls (
    id            TEXT    NOT NULL PRIMARY KEY,
    function      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    completed_at  INTEGER NULL,
    result        TEXT    NULL
);

CREATE INDEX calls_expires_at_idx ON calls (expires_at);
