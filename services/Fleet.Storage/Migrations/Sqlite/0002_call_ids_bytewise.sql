-- PostgreSQL's 0002 makes call ids compare byte by byte; SQLite's TEXT does so already (BINARY collation). Kept so
-- that both providers number their scripts alike.
SELECT 1;
