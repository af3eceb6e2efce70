-- Every column of every table, in ordinal order; COLUMN_TYPE is the server's canonical spelling.
-- (Views' columns come too and are dropped in Python: a join with TABLES costs a full scan.)
SELECT c.TABLE_SCHEMA AS table_schema,
       c.TABLE_NAME AS table_name,
       c.COLUMN_NAME AS column_name,
       c.ORDINAL_POSITION AS ordinal,
       c.COLUMN_DEFAULT AS column_default,
       c.IS_NULLABLE AS is_nullable,
       c.DATA_TYPE AS data_type,
       c.COLUMN_TYPE AS column_type,
       c.CHARACTER_SET_NAME AS charset,
       c.COLLATION_NAME AS collation,
       c.EXTRA AS extra,
       c.COLUMN_COMMENT AS comment,
       c.GENERATION_EXPRESSION AS generation_expression
FROM information_schema.COLUMNS c
WHERE c.TABLE_SCHEMA IN :schemas
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION
