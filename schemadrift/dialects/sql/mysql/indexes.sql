-- Primary keys, unique constraints (= unique indexes) and indexes, one row per index part.
SELECT s.TABLE_SCHEMA AS table_schema,
       s.TABLE_NAME AS table_name,
       s.INDEX_NAME AS index_name,
       s.NON_UNIQUE AS non_unique,
       s.SEQ_IN_INDEX AS seq,
       s.COLUMN_NAME AS column_name,
       NULL AS expression,
       s.COLLATION AS collation,
       s.SUB_PART AS sub_part,
       s.INDEX_TYPE AS index_type
FROM information_schema.STATISTICS s
WHERE s.TABLE_SCHEMA IN :schemas
ORDER BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX
