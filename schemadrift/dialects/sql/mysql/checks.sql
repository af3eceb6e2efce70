-- MariaDB: CHECK constraints (names are unique per table; LEVEL 'Column' for column checks).
SELECT c.CONSTRAINT_SCHEMA AS table_schema,
       c.TABLE_NAME AS table_name,
       c.CONSTRAINT_NAME AS constraint_name,
       c.CHECK_CLAUSE AS check_clause,
       c.LEVEL AS level,
       'YES' AS enforced
FROM information_schema.CHECK_CONSTRAINTS c
WHERE c.CONSTRAINT_SCHEMA IN :schemas
ORDER BY c.CONSTRAINT_SCHEMA, c.TABLE_NAME, c.CONSTRAINT_NAME
