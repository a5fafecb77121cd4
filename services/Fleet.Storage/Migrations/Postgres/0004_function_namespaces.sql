-- Functions are keyed by (namespace, name): each facade keeps its functions apart. Every function stored before belongs
-- to the Serverledge facade. The package hash becomes a column (indexed for the purge of unused blobs), so no SQL
-- reads a JSON property whose name a serializer setting decides.
ALTER TABLE functions ADD COLUMN namespace text NOT NULL DEFAULT 'serverledge';
ALTER TABLE functions ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE functions ADD COLUMN package_hash text NULL;
UPDATE functions SET spec = jsonb_set(spec, '{namespace}', '"serverledge"'), package_hash = spec->>'packageHash';
ALTER TABLE functions ALTER COLUMN package_hash SET NOT NULL;
ALTER TABLE functions DROP CONSTRAINT functions_pkey;
ALTER TABLE functions ADD PRIMARY KEY (namespace, name);
CREATE INDEX functions_package_hash_idx ON functions (package_hash);

-- A queued call's request holds its function: it gets the namespace too. Spliced into the text, not rebuilt as jsonb,
-- which refuses the \u0000 a call's params may hold. "function" is the request's first object-valued property, ahead
-- of the params (the only caller data), so its first unescaped occurrence is the one.
UPDATE calls
SET request = overlay(request PLACING '"function":{"namespace":"serverledge",' FROM strpos(request, '"function":{') FOR 12)
WHERE request IS NOT NULL AND strpos(request, '"function":{') > 0;
