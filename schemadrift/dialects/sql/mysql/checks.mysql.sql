-- MySQL 8: CHECK_CONSTRAINTS has no table name; TABLE_CONSTRAINTS gives it (names are unique per schema).
SELECT t.TABLE_SCHEMA AS table_schema,
       t.TABLE_NAME AS table_name,
       c.CONSTRAINT_NAME AS constraint_name,
       c.CHECK_CLAUSE AS check_clause,
       'Table' AS level,
       t.ENFORCED AS enforced
FROM information_schema.CHECK_CONSTRAINTS c
JOIN information_schema.TABLE_CONSTRAINTS t
  ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME
 AND t.CONSTRAINT_TYPE = 'CHECK'
WHERE c.CONSTRAINT_SCHEMA IN :schemas
ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME, c.CONSTRAINT_NAME
