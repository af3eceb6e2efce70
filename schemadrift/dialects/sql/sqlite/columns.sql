-- Columns of every table, hidden (generated) ones included: hidden 2 = VIRTUAL, 3 = STORED.
SELECT m.name AS table_name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM {schema}.sqlite_master AS m
JOIN pragma_table_xinfo(m.name, :schema) AS p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL %'
ORDER BY m.name, p.cid
