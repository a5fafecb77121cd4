-- Functions, content-addressed packages and async call records (document-shaped).

CREATE TABLE functions (
    name        text        PRIMARY KEY,
    spec        jsonb       NOT NULL,
    generation  text        NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE packages (
    hash        text        PRIMARY KEY,
    bytes       bytea       NOT NULL,
    size        bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- result is text, not jsonb: a handler's output may hold \u0000, which jsonb refuses.
CREATE TABLE calls (
    id            text        PRIMARY KEY,
    function      text        NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    completed_at  timestamptz NULL,
    result        text        NULL
);

CREATE INDEX calls_expires_at_idx ON calls (expires_at);
