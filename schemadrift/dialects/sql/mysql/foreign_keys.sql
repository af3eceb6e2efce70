-- Foreign keys, one row per column pair, with their ON DELETE / ON UPDATE rules.
-- KEY_COLUMN_USAGE is visible with SELECT alone; MariaDB shows REFERENTIAL_CONSTRAINTS only to a
-- user with a privilege other than SELECT (MDEV-32500), so its rules are LEFT JOINed: a NULL rule
-- (or referenced table) sends that table to SHOW CREATE TABLE (mysql.py, complete_foreign_keys).
-- POSITION_IN_UNIQUE_CONSTRAINT is set for foreign-key columns only (NULL for PRIMARY / UNIQUE).
SELECT k.TABLE_SCHEMA AS table_schema,
       k.TABLE_NAME AS table_name,
       k.CONSTRAINT_NAME AS constraint_name,
       k.ORDINAL_POSITION AS seq,
       k.COLUMN_NAME AS column_name,
       k.REFERENCED_TABLE_SCHEMA AS ref_schema,
       k.REFERENCED_TABLE_NAME AS ref_table,
       k.REFERENCED_COLUMN_NAME AS ref_column,
       r.UPDATE_RULE AS update_rule,
       r.DELETE_RULE AS delete_rule
FROM information_schema.KEY_COLUMN_USAGE k
-- The rules are read in a derived table that the LIMIT keeps from being merged into the join: merged,
-- MariaDB opens the tables of every database on the server to fill REFERENTIAL_CONSTRAINTS (2 s for
-- 1,000 tables instead of 0.05 s; EXPLAIN says "Scanned all databases").
LEFT JOIN (SELECT CONSTRAINT_SCHEMA, CONSTRAINT_NAME, TABLE_NAME, UPDATE_RULE, DELETE_RULE
           FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN :schemas
           LIMIT 18446744073709551615) r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
 AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA IN :schemas
  AND (k.REFERENCED_TABLE_NAME IS NOT NULL OR k.POSITION_IN_UNIQUE_CONSTRAINT IS NOT NULL)
ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
