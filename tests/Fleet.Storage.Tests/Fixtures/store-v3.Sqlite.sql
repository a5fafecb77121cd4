-- A store at schema version 3 as Fleet wrote it before the store was split by aggregate (main at e6104aa): a function
-- (its spec has no namespace; its package hash lives only in the JSON), its package and one no function uses, a
-- completed async call and a queued one whose params hold a NUL. Loaded over migrations 1-3 by StoreSchemaContract.

INSERT INTO functions (name, spec, generation, created_at)
VALUES ('isprime-v3', '{"name":"isprime-v3","runtime":"python","handler":"isprime.handler","memoryMB":128,"cpuDemand":0.5,"timeoutSeconds":60,"packageHash":"039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81","generation":"g3","createdAt":"2030-01-01T00:00:00+00:00"}', 'g3', 1893456000000000);

INSERT INTO packages (hash, bytes, size, created_at)
VALUES ('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81', X'010203', 3, 1893456000000000),
       ('787c798e39a5bc1910355bae6d0cd87a36b2e10fd0202a83e3bb6b005da83472', X'040506', 3, 1893456000000000);

INSERT INTO calls (id, function, created_at, expires_at, completed_at, result)
VALUES ('done-1', 'isprime-v3', 1893456000000000, 4070908800000000, 1893456001000000, '{"requestId":"done-1","status":"Succeeded","result":"{\"IsPrime\": true}","output":"","error":"","isWarmStart":false,"initTime":0.02,"duration":0.001,"responseTime":0.03,"workerId":"w1","completedAt":"2030-01-01T00:00:01+00:00"}');

INSERT INTO calls (id, function, created_at, expires_at, request)
VALUES ('queued-1', 'isprime-v3', 1893456000000000, 4070908800000000, '{"requestId":"queued-1","function":{"name":"isprime-v3","runtime":"python","handler":"isprime.handler","memoryMB":128,"cpuDemand":0.5,"timeoutSeconds":60,"packageHash":"039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81","generation":"g3","createdAt":"2030-01-01T00:00:00+00:00"},"paramsJson":"{\"text\":\"\u0000 \\u0000\"}","returnOutput":false,"qosClass":0,"deadline":null,"async":true,"receivedAt":"2030-01-01T00:00:00+00:00"}');
