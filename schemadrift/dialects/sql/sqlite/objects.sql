-- Every schema object of one database (tables, indexes, views, triggers) with its SQL text.
-- {schema} is the quoted schema name (main, or an attached database).
SELECT m.type, m.name, m.tbl_name, m.sql
FROM {schema}.sqlite_master AS m
ORDER BY m.type, m.name
