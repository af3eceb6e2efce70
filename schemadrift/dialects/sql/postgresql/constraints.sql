-- Primary keys, foreign keys and checks (unique constraints come with the indexes).
-- conparentid <> 0 rows are clones on partitions, made by the server from their parent's.
SELECT r.schema, r.name AS table_name, con.conname AS name, con.contype AS kind,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord) AS columns,
       fn.nspname AS ref_schema, fc.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord) AS ref_columns,
       con.confupdtype AS on_update, con.confdeltype AS on_delete,
       con.condeferrable AS deferrable, con.condeferred AS deferred,
       con.convalidated AS validated,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true) END AS expr
FROM rel r
JOIN pg_catalog.pg_constraint con ON con.conrelid = r.oid
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'f', 'c') AND con.conparentid = 0
ORDER BY r.schema, r.name, con.conname
