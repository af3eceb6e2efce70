-- Indexes, unique constraints and exclusion constraints (constraint_kind 'x': the index that
-- backs one gives its elements; operators are its WITH operators), not the primary key's index.
-- Per index column k (0-based): its name (NULL for an expression), the server's text for it,
-- its indoption bits (1 = DESC, 2 = NULLS FIRST), a non-default operator class, a collation other than the column's.
SELECT r.schema, r.name AS table_name, i.relname AS name,
       x.indisunique AS is_unique, x.indnkeyatts AS key_count,
       am.amname AS method,
       pg_catalog.pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       con.conname AS constraint_name, con.contype AS constraint_kind,
       con.condeferrable AS deferrable, con.condeferred AS deferred,
       CASE WHEN con.contype = 'x' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END AS constraint_def,
       CASE WHEN con.contype = 'x' THEN
            ARRAY(SELECT op.oprname::text FROM generate_series(1, x.indnkeyatts) k
                  JOIN pg_catalog.pg_operator op ON op.oid = con.conexclop[k] ORDER BY k) END AS operators,
       {nulls_not_distinct} AS nulls_not_distinct,
       ARRAY(SELECT a.attname FROM generate_series(0, x.indnatts - 1) k
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k]
                  AND x.indkey[k] <> 0
             ORDER BY k) AS columns,
       ARRAY(SELECT pg_catalog.pg_get_indexdef(x.indexrelid, k + 1, true)
             FROM generate_series(0, x.indnatts - 1) k ORDER BY k) AS exprs,
       ARRAY(SELECT x.indoption[k] FROM generate_series(0, x.indnkeyatts - 1) k ORDER BY k) AS options,
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN NULL ELSE opc.opcname END
             FROM generate_series(0, x.indnkeyatts - 1) k
             JOIN pg_catalog.pg_opclass opc ON opc.oid = x.indclass[k]
             ORDER BY k) AS opclasses,
       ARRAY(SELECT CASE WHEN x.indcollation[k] <> 0 AND x.indcollation[k] <> a.attcollation
                         THEN co.collname END
             FROM generate_series(0, x.indnkeyatts - 1) k
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k]
             LEFT JOIN pg_catalog.pg_collation co ON co.oid = x.indcollation[k]
             ORDER BY k) AS collations
FROM rel r
JOIN pg_catalog.pg_index x ON x.indrelid = r.oid
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = i.relam
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
     AND con.contype IN ('p', 'u', 'x')
WHERE con.contype IS NULL OR con.contype IN ('u', 'x')
ORDER BY r.schema, r.name, i.relname
