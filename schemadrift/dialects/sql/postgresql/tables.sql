-- One row per table: comment, persistence, storage parameters, partition key.
SELECT r.schema, r.name,
       pg_catalog.obj_description(r.oid, 'pg_class') AS comment,
       c.relpersistence AS persistence,
       c.reloptions AS storage,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END AS partition_by
FROM rel r
JOIN pg_catalog.pg_class c ON c.oid = r.oid
ORDER BY r.schema, r.name
