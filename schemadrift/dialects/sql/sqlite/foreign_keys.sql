-- Foreign keys of every table; "to" is NULL where the clause names no columns (the parent's PK).
SELECT m.name AS table_name, f.id, f.seq, f."table" AS ref_table, f."from", f."to",
       f.on_update, f.on_delete
FROM {schema}.sqlite_master AS m
JOIN pragma_foreign_key_list(m.name, :schema) AS f
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL %'
ORDER BY m.name, f.id, f.seq
