-- Key columns of every index of every table. origin: c = CREATE INDEX, u = UNIQUE constraint,
-- pk = PRIMARY KEY; cid -2 = an expression, -1 = the rowid.
SELECT m.name AS table_name, il.name AS index_name, il."unique", il.origin, il.partial,
       x.seqno, x.cid, x.name AS column_name, x."desc", x.coll
FROM {schema}.sqlite_master AS m
JOIN pragma_index_list(m.name, :schema) AS il
JOIN pragma_index_xinfo(il.name, :schema) AS x
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL %' AND x.key = 1
ORDER BY m.name, il.name, x.seqno
