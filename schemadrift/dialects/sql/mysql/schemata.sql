-- One row per introspected database (MySQL's "schema"): its default character set and collation.
SELECT s.SCHEMA_NAME AS schema_name,
       s.DEFAULT_CHARACTER_SET_NAME AS charset,
       s.DEFAULT_COLLATION_NAME AS collation
FROM information_schema.SCHEMATA s
WHERE s.SCHEMA_NAME IN :schemas
