-- Base tables with engine, collation (and its character set), comment and create options.
SELECT t.TABLE_SCHEMA AS table_schema,
       t.TABLE_NAME AS table_name,
       t.TABLE_TYPE AS table_type,
       t.ENGINE AS engine,
       t.TABLE_COLLATION AS collation,
       c.CHARACTER_SET_NAME AS charset,
       c.IS_DEFAULT AS collation_is_default,
       t.CREATE_OPTIONS AS create_options,
       t.TABLE_COMMENT AS comment
FROM information_schema.TABLES t
LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION
WHERE t.TABLE_SCHEMA IN :schemas
ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME
