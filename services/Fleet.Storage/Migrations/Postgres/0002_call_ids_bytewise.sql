-- Call ids are opaque: compared byte by byte, their primary key is cheaper to insert into and to look up than under
-- the database's linguistic collation.
ALTER TABLE calls ALTER COLUMN id TYPE text COLLATE "C";
