-- One row per table: comment, persistence, storage parameters, partition key.
SELECT r.schema, r.name,
       dsc.description AS comment,
       c.relpersistence AS persistence,
       c.reloptions AS storage,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END AS partition_by
FROM rel r
JOIN pg_catalog.pg_class c ON c.oid = r.oid
LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = r.oid AND dsc.objsubid = 0
     AND dsc.classoid = 'pg_catalog.pg_class'::regclass
ORDER BY r.schema, r.name
