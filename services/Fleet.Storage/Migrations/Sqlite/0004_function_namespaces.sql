-- Functions are keyed by (namespace, name): each facade keeps its functions apart. Every function stored before belongs
-- to the Serverledge facade. The package hash becomes a column (indexed for the purge of unused blobs), so no SQL
-- reads a JSON property whose name a serializer setting decides. SQLite cannot change a primary key: the table is made anew.
CREATE TABLE functions_by_namespace (
    namespace     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    spec          TEXT    NOT NULL,
    generation    TEXT    NOT NULL,
    package_hash  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
);
INSERT INTO functions_by_namespace (namespace, name, spec, generation, package_hash, created_at)
SELECT 'serverledge', name, json_set(spec, '$.namespace', 'serverledge'), generation, json_extract(spec, '$.packageHash'), created_at
FROM functions;
DROP TABLE functions;
ALTER TABLE functions_by_namespace RENAME TO functions;
CREATE INDEX functions_package_hash_idx ON functions (package_hash);

-- A queued call's request holds its function: it gets the namespace too. Spliced into the text, as PostgreSQL's 0004
-- does. "function" is the request's first object-valued property, ahead of the params (the only caller data), so its
-- first unescaped occurrence is the one.
UPDATE calls
SET request = substr(request, 1, instr(request, '"function":{') - 1) || '"function":{"namespace":"serverledge",'
              || substr(request, instr(request, '"function":{') + 12)
WHERE request IS NOT NULL AND instr(request, '"function":{') > 0;
